// Signs in at an OpenID provider as a person would, without a browser:
// authorization code with PKCE (RFC 7636), driving the provider's login and
// consent pages with plain HTTP requests, then the token request. Also the
// device flow's user side (RFC 8628), for `kyodoctl login`.
//   import { signIn, approveDevice } from './oidc_signin.mjs';
import crypto from 'node:crypto';

const REDIRECT = 'http://127.0.0.1/callback';

class Browser {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }

  async request(url, { method = 'GET', form } = {}) {
    const headers = {};
    if (this.cookies.size) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(new URL(url, this.base), {
      method, headers, body, redirect: 'manual',
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }

  // Follows redirects and answers the provider's pages until `done(location)`.
  async drive(start, { login, password, done }) {
    let next = { url: start };
    for (let step = 0; step < 20; step += 1) {
      const res = await this.request(next.url, next);
      if (res.status >= 300 && res.status < 400) {
        if (done(res.location)) return res.location;
        next = { url: res.location };
        continue;
      }
      const action = /<form[^>]*action="([^"]+)"/.exec(res.text)?.[1]?.replaceAll('&#47;', '/');
      if (res.status === 200 && action?.endsWith('/login')) {
        next = { url: action, method: 'POST', form: { login, password } };
      } else if (res.status === 200 && action?.endsWith('/confirm')) {
        next = { url: action, method: 'POST', form: {} };
      } else if (res.status === 200 && done(null, res.text)) {
        return res.text;
      } else {
        throw new Error(`sign-in stopped at HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      }
    }
    throw new Error('sign-in did not finish in 20 steps');
  }
}

// Authorization code + PKCE as `login`; returns the token answer
// ({access_token, id_token, expires_in, ...}).
export async function signIn(issuer, login, password) {
  const browser = new Browser(issuer);
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const state = crypto.randomBytes(8).toString('hex');
  const auth = new URL('/auth', issuer);
  auth.search = new URLSearchParams({
    client_id: 'kyodoctl',
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid kyodo',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    resource: 'urn:kyodo',
  }).toString();
  const back = new URL(await browser.drive(auth.href, {
    login, password, done: (location) => location?.startsWith(REDIRECT),
  }));
  if (back.searchParams.get('state') !== state) throw new Error('state mismatch');
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code: ${back.search}`);
  const res = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: 'kyodoctl',
      code_verifier: verifier,
      resource: 'urn:kyodo',
    }).toString(),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`token endpoint: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// The person's side of the device flow: enters `userCode` at the provider's
// /device page, confirms it, signs in and consents; returns the final page.
export async function approveDevice(issuer, userCode, login, password) {
  const browser = new Browser(issuer);
  const xsrfOf = (text) => /name="xsrf" value="([^"]+)"/.exec(text)?.[1];
  const input = await browser.request('/device');
  const xsrf = xsrfOf(input.text);
  if (!xsrf) throw new Error(`no device page: HTTP ${input.status}`);
  const shown = await browser.request('/device', { method: 'POST', form: { xsrf, user_code: userCode } });
  const confirmXsrf = xsrfOf(shown.text);
  if (!confirmXsrf) throw new Error(`user code not accepted: HTTP ${shown.status}`);
  const confirmed = await browser.request('/device', {
    method: 'POST', form: { xsrf: confirmXsrf, user_code: userCode, confirm: 'yes' },
  });
  if (!confirmed.location) throw new Error(`device confirmation: HTTP ${confirmed.status}`);
  return browser.drive(confirmed.location, {
    login, password, done: (location, page) => location == null && /success/i.test(page),
  });
}

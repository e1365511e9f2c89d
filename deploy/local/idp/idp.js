// A local OpenID provider for kyodo (deploy/local/start.sh and the tests):
// npm's oidc-provider, a certified OpenID Connect implementation, with
// kyodo's demo accounts (accounts.json) and its clients:
// - `kyodoctl` (public; authorization code with PKCE, device flow), whose
//   access tokens (RS256, typ at+jwt) carry the account's kyodo claims;
// - `kyodo-console` (public; authorization code with PKCE, from the web
//   console in a browser, web/), with the same tokens, when --console-url
//   names where the console is served (its /callback is the redirect URI
//   and its origin the one browser origin allowed to call the token
//   endpoint);
// - `kyodo-gateway` (client credentials): a ten-minute ES256 token of role
//   `screener`, the only thing the gateway does on its own authority;
// - `kyodo-public` (client credentials): a ten-minute ES256 token of role
//   `viewer`, with which the gateway serves published results to readers
//   who never sign in (/public/v1/, docs/HTTP.md);
// - `kyodo-notifier` (client credentials): a ten-minute ES256 token of role
//   `notifier`, with which the notifier follows proposal-service's change
//   feed and reads the addresses it mails (notifier/).
// The three confidential clients' secrets are made at first start in the
// state folder (gateway.secret, public.secret, notifier.secret; mode 0600).
// Signing keys are made at first start in the state folder (never in the
// repository); the public ones are written to <state>/jwks.json, the file
// the services verify against.
//
//   node idp.js serve  --state DIR --port N [--accounts FILE] [--audience A]
//                      [--console-url http://127.0.0.1:50054] [--host ADDR]
//                      (ADDR: the address it listens on, 127.0.0.1 unless
//                      given; its issuer is http://ADDR:N unless --issuer)
//   node idp.js rotate --state DIR   a new signing key, published beside the
//                                    old one, signs from now on
//   node idp.js retire --state DIR   only the newest key of each type stays
// rotate and retire signal a running provider (SIGHUP), which re-reads its
// keys and rewrites jwks.json without a restart.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import querystring from 'node:querystring';
import { fileURLToPath } from 'node:url';

import Provider, { errors } from 'oidc-provider';

const here = path.dirname(fileURLToPath(import.meta.url));
const RESOURCE = 'urn:kyodo';

function parseArgs(argv) {
  const args = { command: argv[0] };
  for (let i = 1; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error(`unexpected ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  return args;
}

function writeAtomically(file, text, mode) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}

function randomSecret() {
  return crypto.randomBytes(24).toString('base64url');
}

// A secret made once and kept in the state folder (mode 0600).
function stateSecret(state, name) {
  const file = path.join(state, name);
  if (!fs.existsSync(file)) writeAtomically(file, `${randomSecret()}\n`, 0o600);
  return fs.readFileSync(file, 'utf8').trim();
}

function newKey(kty) {
  const stamp = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const kid = `${kty === 'RSA' ? 'rs' : 'es'}-${stamp}-${crypto.randomBytes(4).toString('hex')}`;
  const { privateKey } = kty === 'RSA'
    ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: kty === 'RSA' ? 'RS256' : 'ES256',
  };
}

function readKeys(state) {
  const file = path.join(state, 'keys.json');
  if (!fs.existsSync(file)) {
    writeAtomically(file, JSON.stringify([newKey('RSA'), newKey('EC')], null, 1), 0o600);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function publicJwks(keys) {
  const strip = ({
    d, p, q, dp, dq, qi, ...pub
  }) => pub;
  return { keys: keys.map(strip) };
}

function signalRunning(state) {
  const pidFile = path.join(state, 'idp.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGHUP');
    console.log(`idp: asked the provider (pid ${pid}) to reload its keys`);
  } catch {
    // not running: the keys apply at its next start
  }
}

function rotate(state) {
  const keys = readKeys(state);
  const fresh = [newKey('RSA'), newKey('EC')];
  writeAtomically(path.join(state, 'keys.json'), JSON.stringify([...fresh, ...keys], null, 1), 0o600);
  console.log(`idp: new signing keys ${fresh.map((k) => k.kid).join(', ')}`);
  signalRunning(state);
}

function retire(state) {
  const keys = readKeys(state);
  const seen = new Set();
  const kept = keys.filter((k) => !seen.has(k.kty) && seen.add(k.kty));
  writeAtomically(path.join(state, 'keys.json'), JSON.stringify(kept, null, 1), 0o600);
  console.log(`idp: kept ${kept.map((k) => k.kid).join(', ')}`);
  signalRunning(state);
}

// Where the login and consent forms may lead: the provider itself, and the
// console's origin, which the consent's redirect chain ends at (browsers
// apply form-action to the redirects after a form is sent).
let formTargets = "'self'";

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, title, body, status = 200) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', `default-src 'none'; form-action ${formTargets}; frame-ancestors 'none'`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.end(`<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`
    + `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 16384) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(querystring.parse(body)));
    req.on('error', reject);
  });
}

function serve(args) {
  const state = path.resolve(args.state);
  const port = Number(args.port);
  const host = args.host || '127.0.0.1';
  const issuer = args.issuer || `http://${host}:${port}`;
  const audience = args.audience || 'kyodo';
  const accountsFile = args.accounts || path.join(here, 'accounts.json');
  const accessTtl = Number(args['access-token-ttl'] || 3600);
  const screenerTtl = Number(args['screener-ttl'] || 600);
  const consoleUrl = args['console-url'] ? new URL(args['console-url']) : undefined;
  if (consoleUrl) formTargets = `'self' ${consoleUrl.origin}`;
  fs.mkdirSync(state, { recursive: true, mode: 0o700 });
  const password = stateSecret(state, 'demo-password');
  const gatewaySecret = stateSecret(state, 'gateway.secret');
  const publicSecret = stateSecret(state, 'public.secret');
  const notifierSecret = stateSecret(state, 'notifier.secret');
  // Kept across key reloads, so sign-ins in progress survive a rotation.
  const cookieKeys = [randomSecret()];

  // Accounts are read at each sign-in: the applicant's partner record is
  // named once the example data is loaded (<state>/partners.json, written
  // by start.sh: display name -> partners/ID).
  function account(login) {
    const { accounts } = JSON.parse(fs.readFileSync(accountsFile, 'utf8'));
    const found = accounts.find((a) => a.login === login);
    if (!found) return undefined;
    const claims = { role: found.role };
    if (found.ward) claims.ward = found.ward;
    if (found.reviewer) claims.reviewer = found.reviewer;
    if (found.partner_display_name) {
      const file = path.join(state, 'partners.json');
      const partners = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
      const partner = partners[found.partner_display_name];
      if (!partner) return undefined;
      claims.partner = partner;
    }
    return { login, name: found.name, claims };
  }

  function makeProvider() {
    const keys = readKeys(state);
    writeAtomically(path.join(state, 'jwks.json'), JSON.stringify(publicJwks(keys), null, 1), 0o644);
    console.log(`idp: signing with ${keys.map((k) => k.kid).join(', ')} (public keys in ${state}/jwks.json)`);
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'kyodoctl',
          client_name: 'kyodoctl',
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
          response_types: ['code'],
          redirect_uris: ['http://127.0.0.1/callback'],
          scope: 'openid profile kyodo',
        },
        ...(consoleUrl ? [{
          client_id: 'kyodo-console',
          client_name: 'kyodo 区役所コンソール',
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [new URL('/callback', consoleUrl).href],
          post_logout_redirect_uris: [new URL('/', consoleUrl).href],
          scope: 'openid profile kyodo',
        }] : []),
        {
          client_id: 'kyodo-gateway',
          client_secret: gatewaySecret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: 'kyodo',
        },
        {
          client_id: 'kyodo-public',
          client_secret: publicSecret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: 'kyodo',
        },
        {
          client_id: 'kyodo-notifier',
          client_secret: notifierSecret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: 'kyodo',
        },
      ],
      jwks: { keys },
      cookies: { keys: cookieKeys },
      pkce: { methods: ['S256'], required: () => true },
      // Only the console calls from a browser, and only from its origin.
      clientBasedCORS: (ctx, origin, client) => client.clientId === 'kyodo-console'
        && consoleUrl !== undefined && origin === consoleUrl.origin,
      scopes: ['openid', 'profile', 'kyodo'],
      claims: { openid: ['sub'], profile: ['name'] },
      features: {
        devInteractions: { enabled: false },
        deviceFlow: { enabled: true },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: (ctx, indicator, client) => {
            if (indicator !== RESOURCE) throw new errors.InvalidTarget();
            const gateway = ['kyodo-gateway', 'kyodo-public', 'kyodo-notifier'].includes(client.clientId);
            return {
              scope: 'kyodo',
              audience,
              accessTokenTTL: gateway ? screenerTtl : accessTtl,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: gateway ? 'ES256' : 'RS256' } },
            };
          },
        },
      },
      // kyodo's claims go into the access token the services verify.
      extraTokenClaims: (ctx, token) => {
        if (token.kind === 'ClientCredentials') {
          if (token.clientId === 'kyodo-gateway') return { role: 'screener' };
          if (token.clientId === 'kyodo-notifier') return { role: 'notifier' };
          return token.clientId === 'kyodo-public' ? { role: 'viewer' } : undefined;
        }
        return token.accountId ? account(token.accountId)?.claims : undefined;
      },
      findAccount: (ctx, id) => {
        const found = account(id);
        if (!found) return undefined;
        return { accountId: id, claims: () => ({ sub: id, name: found.name }) };
      },
      interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
      ttl: { Session: 8 * 3600, Interaction: 600, Grant: 8 * 3600, DeviceCode: 600 },
    });
    provider.on('server_error', (ctx, err) => console.error('idp: server error', err));
    return provider;
  }

  let provider = makeProvider();
  let callback = provider.callback();

  async function interaction(req, res, uid, action) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return page(res, 'エラー', '<p>interaction mismatch</p>', 400);
    const { prompt, params } = details;
    if (req.method === 'GET' && !action) {
      if (prompt.name === 'login') {
        return page(res, 'kyodo サインイン (ローカル)', `
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>ID <input name="login" autocomplete="username" autofocus></label>
<label>パスワード <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">サインイン</button></form>`);
      }
      return page(res, 'アクセスの許可', `
<p>${escapeHtml(params.client_id)} が kyodo をあなたの権限で使います。</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/confirm">
<button type="submit">許可する</button></form>`);
    }
    if (req.method !== 'POST') return page(res, 'エラー', '', 405);
    const form = await readForm(req);
    if (action === 'login') {
      const found = typeof form.login === 'string' ? account(form.login) : undefined;
      const given = Buffer.from(String(form.password || ''));
      const ok = found && given.length === Buffer.byteLength(password)
        && crypto.timingSafeEqual(given, Buffer.from(password));
      if (!ok) {
        return page(res, 'kyodo サインイン (ローカル)', `<p>ID またはパスワードが違います。</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>ID <input name="login" autocomplete="username"></label>
<label>パスワード <input name="password" type="password"></label>
<button type="submit">サインイン</button></form>`, 401);
      }
      return provider.interactionFinished(req, res, { login: { accountId: found.login } },
        { mergeWithLastSubmission: false });
    }
    if (action === 'confirm') {
      const { details: missing } = prompt;
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      if (missing.missingResourceScopes) {
        for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
          grant.addResourceScope(indicator, scopes.join(' '));
        }
      }
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } },
        { mergeWithLastSubmission: true });
    }
    return page(res, 'エラー', '', 404);
  }

  const server = http.createServer((req, res) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm))?$/.exec(req.url.split('?')[0]);
    if (!match) return callback(req, res);
    return interaction(req, res, match[1], match[2]).catch((err) => {
      console.error('idp: interaction failed:', err.message);
      if (!res.headersSent) page(res, 'エラー', `<p>${escapeHtml(err.message)}</p>`, 400);
    });
  });
  // Idle connections outlive a client's pause between two requests (Node's
  // 5 s default makes a client's reused connection race the close).
  server.keepAliveTimeout = 65000;
  server.headersTimeout = 66000;
  process.on('SIGHUP', () => {
    try {
      provider = makeProvider();
      callback = provider.callback();
    } catch (err) {
      console.error('idp: keys not reloaded:', err.message);
    }
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  server.listen(port, host, () => {
    writeAtomically(path.join(state, 'idp.pid'), String(process.pid), 0o644);
    console.log(`idp: serving ${issuer}`);
  });
}

const args = parseArgs(process.argv.slice(2));
if (args.command === 'serve') serve(args);
else if (args.command === 'rotate') rotate(path.resolve(args.state));
else if (args.command === 'retire') retire(path.resolve(args.state));
else {
  console.error('usage: idp.js serve|rotate|retire --state DIR [--port N]');
  process.exit(2);
}

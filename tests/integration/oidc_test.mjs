// Sign-in end to end, against the suite deploy/local/start.sh runs
// (oidc_test.sh starts it): people sign in at the local OpenID provider
// (authorization code + PKCE, and kyodoctl's device flow) and call kyodo
// through the gateway with the token they got; tokens that must not pass
// are refused; the gateway's own credential can only screen; and the
// provider's keys rotate while the services keep running.
//
// Environment: KYODO_ISSUER, KYODO_DATA (the launcher's data folder),
// KYODOCTL, KYODO_GATEWAY (address), KYODO_HTTP (the HTTP entry's URL), KYODO_BUILD, KYODO_SRC, KYODO_DB_PORT,
// KYODO_PROD_PORT (a free port for a production-mode partner-service).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { approveDevice, signIn } from './oidc_signin.mjs';

const env = process.env;
const issuer = env.KYODO_ISSUER;
const data = env.KYODO_DATA;
const password = fs.readFileSync(path.join(data, 'idp/demo-password'), 'utf8').trim();
let failures = 0;

async function check(name, body) {
  try {
    await body();
    console.log(`ok   ${name}`);
  } catch (err) {
    failures += 1;
    console.log(`FAIL ${name}\n     ${err.stack || err}`);
  }
}

// kyodoctl against `addr` with `token`; {code, out, err}.
function kyodoctl(token, args, addr = env.KYODO_GATEWAY) {
  const res = spawnSync(env.KYODOCTL, args, {
    env: { PATH: env.PATH, KYODO_ADDR: addr, KYODO_TOKEN: token },
    encoding: 'utf8',
    timeout: 60000,
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

function expectRefused(res, why) {
  assert.equal(res.code, 26, `want UNAUTHENTICATED (26), got ${res.code}: ${res.err}`);
  assert.match(res.err, why);
}

const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
function signRs256(claims, jwk) {
  const input = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: jwk.kid })}.${b64(claims)}`;
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const claimsOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url'));
const headerOf = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url'));
// The provider's current RSA signing key (its private half, in the data
// folder this test owns).
const providerRsaKey = () => JSON.parse(fs.readFileSync(path.join(data, 'idp/keys.json'), 'utf8'))
  .find((k) => k.kty === 'RSA');
const staffClaims = (extra = {}) => ({
  sub: 'asao-staff', role: 'ward_staff', ward: 'ASAO', iss: issuer, aud: 'kyodo',
  iat: now(), exp: now() + 600, ...extra,
});

// The kids the provider publishes, once `want(kids)` holds (the provider
// reloads its keys on SIGHUP, asynchronously); bounded.
async function publishedKids(want) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const res = await fetch(new URL('/jwks', issuer));
    const kids = (await res.json()).keys.map((k) => k.kid);
    if (want(kids)) return kids;
    if (Date.now() > deadline) throw new Error(`provider publishes ${kids}`);
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
}

function idp(...args) {
  const res = spawnSync(path.join(env.KYODO_SRC, 'deploy/local/idp/run.sh'),
    [path.join(env.KYODO_BUILD, 'idp'), ...args, '--state', path.join(data, 'idp')],
    { encoding: 'utf8', timeout: 120000 });
  assert.equal(res.status, 0, res.stderr);
}

// A partner-service in production mode beside the launcher's, on the same
// database; it checks the JWKS file on every call (--jwt_jwks_recheck=0).
function startProductionService(extra = []) {
  const args = [
    `--listen=127.0.0.1:${env.KYODO_PROD_PORT}`, '--migrate=false',
    '--db_host=127.0.0.1', `--db_port=${env.KYODO_DB_PORT}`, '--db_user=kyodo',
    `--db_password_file=${path.join(data, 'mariadb/kyodo.password')}`,
    `--page_token_key_file=${path.join(data, 'secrets/page_token.key')}`,
    `--jwt_jwks_file=${path.join(data, 'idp/jwks.json')}`, `--jwt_issuer=${issuer}`,
    '--jwt_production', '--jwt_jwks_recheck=0s', ...extra,
  ];
  return spawn(path.join(env.KYODO_BUILD, 'partner-service/partner-service'), args,
    { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function waitServing(addr) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (kyodoctl('', ['health', 'kyodo.partner.v1.PartnerService'], addr).code === 0) return;
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
  throw new Error(`${addr} not serving`);
}

const staff = await signIn(issuer, 'asao-staff', password);
const prodAddr = `127.0.0.1:${env.KYODO_PROD_PORT}`;
const production = startProductionService();
let productionLog = '';
production.stderr.on('data', (chunk) => { productionLog += chunk; });
const productionPid = production.pid;

try {
  await check('authorization code + PKCE gives an RS256 access token with kyodo claims', () => {
    const header = headerOf(staff.access_token);
    const claims = claimsOf(staff.access_token);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.typ, 'at+jwt');
    assert.equal(claims.role, 'ward_staff');
    assert.equal(claims.ward, 'ASAO');
    assert.equal(claims.aud, 'kyodo');
    assert.equal(claims.iss, issuer);
  });

  await check('the signed-in ward staff lists partners and registers one through the gateway', () => {
    const list = kyodoctl(staff.access_token, ['partners', 'list', '--all', '--json']);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /"display_name":"明治大学"/);
    const created = kyodoctl(staff.access_token, ['call', 'CreatePartner', JSON.stringify({
      partner: {
        kind: 'NEIGHBOURHOOD_ASSOCIATION', display_name: 'サインイン試験町会', name_kana: 'さいんいんしけんちょうかい', ward: 'ASAO',
      },
    })]);
    assert.equal(created.code, 0, created.err);
    assert.match(created.out, /"display_name":"サインイン試験町会"/);
  });

  await check('the same token works on the HTTP/JSON entry (Connect), and none is refused', async () => {
    const url = `${env.KYODO_HTTP}/kyodo.partner.v1.PartnerService/ListPartners`;
    const body = JSON.stringify({ filter: 'kind = UNIVERSITY', pageSize: 500 });
    const ok = await fetch(url, {
      method: 'POST', body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${staff.access_token}` },
    });
    const text = await ok.text();
    assert.equal(ok.status, 200, text);
    assert.ok(JSON.parse(text).partners.some((p) => p.displayName === '明治大学'), text);
    const none = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.equal(none.status, 401);
    assert.equal((await none.json()).code, 'unauthenticated');
  });

  await check('roles come from the claims: the viewer reads but may not write', async () => {
    const viewer = await signIn(issuer, 'viewer', password);
    assert.equal(kyodoctl(viewer.access_token, ['partners', 'list']).code, 0);
    const denied = kyodoctl(viewer.access_token, ['call', 'CreatePartner', JSON.stringify({
      partner: {
        kind: 'NEIGHBOURHOOD_ASSOCIATION', display_name: '閲覧者町会', name_kana: 'えつらんしゃちょうかい', ward: 'ASAO',
      },
    })]);
    assert.equal(denied.code, 17, denied.err);
  });

  await check('the demo applicant is the example association', async () => {
    const applicant = await signIn(issuer, 'sakuradai', password);
    const { partner } = claimsOf(applicant.access_token);
    assert.match(partner, /^partners\//);
    const own = kyodoctl(applicant.access_token, ['partners', 'get', partner, '--json']);
    assert.equal(own.code, 0, own.err);
    assert.match(own.out, /例示・さくら台町内会/);
  });

  await check('a wrong password is refused by the provider', async () => {
    await assert.rejects(signIn(issuer, 'admin', `${password}x`), /HTTP 401/);
  });

  await check('refused: a token signed by an unknown key', () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger = { ...privateKey.export({ format: 'jwk' }), kid: 'stranger-1' };
    expectRefused(kyodoctl(signRs256(staffClaims(), stranger), ['partners', 'list']),
      /unknown signing key/);
    // Nor does naming a published kid help.
    const lying = { ...stranger, kid: providerRsaKey().kid };
    expectRefused(kyodoctl(signRs256(staffClaims(), lying), ['partners', 'list']), /signature/);
  });

  await check('refused: an expired token, and one for another audience', () => {
    const key = providerRsaKey();
    // The same key and claims pass: the refusals below are about exp and aud.
    assert.equal(kyodoctl(signRs256(staffClaims(), key), ['partners', 'list']).code, 0);
    expectRefused(kyodoctl(signRs256(staffClaims({ iat: now() - 7200, exp: now() - 3600 }), key),
      ['partners', 'list']), /expired/);
    expectRefused(kyodoctl(signRs256(staffClaims({ aud: 'another-app' }), key),
      ['partners', 'list']), /audience/);
  });

  await check('production mode refuses HS256 tokens and accepts the provider\'s', async () => {
    await waitServing(prodAddr);
    const hs = spawnSync(env.KYODOCTL, ['token', '--role=admin',
      `--jwt_key_file=${path.join(data, 'secrets/jwt.key')}`], { encoding: 'utf8' });
    assert.equal(hs.status, 0, hs.stderr);
    // The same HS256 token passes the launcher's development-mode services.
    assert.equal(kyodoctl(hs.stdout.trim(), ['partners', 'list']).code, 0);
    expectRefused(kyodoctl(hs.stdout.trim(), ['partners', 'list'], prodAddr),
      /refused in production mode/);
    const ok = kyodoctl(staff.access_token, ['partners', 'list'], prodAddr);
    assert.equal(ok.code, 0, ok.err);
    // And production mode will not start with a shared secret at all.
    const refused = spawnSync(path.join(env.KYODO_BUILD, 'partner-service/partner-service'), [
      '--jwt_production', `--jwt_key_file=${path.join(data, 'secrets/jwt.key')}`,
      `--jwt_jwks_file=${path.join(data, 'idp/jwks.json')}`, '--listen=127.0.0.1:1',
      `--db_password_file=${path.join(data, 'mariadb/kyodo.password')}`,
      `--page_token_key_file=${path.join(data, 'secrets/page_token.key')}`, '--migrate=false',
    ], { encoding: 'utf8', timeout: 30000 });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /shared token secret/);
  });

  await check('the gateway\'s own credential (client credentials, ES256) can only screen', async () => {
    const secret = fs.readFileSync(path.join(data, 'idp/gateway.secret'), 'utf8').trim();
    const res = await fetch(new URL('/token', issuer), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`kyodo-gateway:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=kyodo',
    });
    const { access_token: token, expires_in: expiresIn } = await res.json();
    assert.equal(res.status, 200);
    assert.equal(headerOf(token).alg, 'ES256');
    assert.equal(claimsOf(token).role, 'screener');
    assert.ok(expiresIn <= 600, `lives ${expiresIn} s`);
    // Besides ScreenProposal it may read only what screening reads
    // (GetPartner, GetProject, ListProjects): listing partners, programmes
    // or proposals is refused.
    for (const args of [['partners', 'list'], ['programmes', 'list'],
      ['call', 'ListProposals', '{"parent": "programmes/x/calls/y"}']]) {
      const denied = kyodoctl(token, args);
      assert.equal(denied.code, 17, `${args}: ${denied.code} ${denied.err}`);
      assert.match(denied.err, /screener may only screen/);
    }
    const reads = kyodoctl(token, ['projects', 'list']);
    assert.notEqual(reads.code, 17, reads.err);
    // ScreenProposal itself passes the gate (and finds no such proposal).
    const screen = kyodoctl(token, ['call', 'ScreenProposal', JSON.stringify({
      name: 'programmes/x/calls/y/proposals/z', facts: {},
      request_id: crypto.randomUUID(),
    })]);
    assert.doesNotMatch(screen.err, /screener may only screen/);
  });

  await check('the public surface\'s credential (client credentials) is a viewer, and serves readers without a token', async () => {
    const secret = fs.readFileSync(path.join(data, 'idp/public.secret'), 'utf8').trim();
    const res = await fetch(new URL('/token', issuer), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`kyodo-public:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=kyodo',
    });
    const { access_token: token } = await res.json();
    assert.equal(res.status, 200);
    assert.equal(claimsOf(token).role, 'viewer');
    const denied = kyodoctl(token, ['call', 'CreatePartner', JSON.stringify({
      partner: { kind: 'NEIGHBOURHOOD_ASSOCIATION', display_name: '公開面の試験', ward: 'ASAO' },
    })]);
    assert.equal(denied.code, 17, `${denied.code} ${denied.err}`);  // PERMISSION_DENIED
    // The gateway got its own from the provider: the public surface answers
    // a reader who sends no token.
    for (const p of ['calls', 'projects']) {
      const open = await fetch(`${env.KYODO_HTTP}/public/v1/${p}`);
      const text = await open.text();
      assert.equal(open.status, 200, `${p}: ${text}`);
      assert.ok(Array.isArray(JSON.parse(text)[p] ?? []), text);
    }
    const csv = await fetch(`${env.KYODO_HTTP}/public/v1/open-data/results.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
  });

  await check('kyodoctl login: the device flow gives a working token', async () => {
    const child = spawn(env.KYODOCTL, ['login', `--issuer=${issuer}`], { encoding: 'utf8' });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    const exited = new Promise((resolve) => { child.on('exit', resolve); });
    const userCode = await new Promise((resolve, reject) => {
      child.stderr.on('data', (c) => {
        err += c;
        const m = /confirm the code (\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`kyodoctl login exited: ${err}`)));
    });
    await approveDevice(issuer, userCode, 'iin-1', password);
    assert.equal(await exited, 0, err);
    const token = out.trim();
    assert.equal(claimsOf(token).reviewer, 'asao-shinsakai-2025-1');
    const res = kyodoctl(token, ['programmes', 'list']);
    assert.equal(res.code, 0, res.err);
  });

  await check('key rotation: a new kid is accepted and the old one dropped, services keep running', async () => {
    const oldToken = staff.access_token;
    const oldKid = headerOf(oldToken).kid;
    idp('rotate');
    await publishedKids((kids) => kids[0] !== oldKid && kids.includes(oldKid));
    const fresh = (await signIn(issuer, 'asao-staff', password)).access_token;
    const newKid = headerOf(fresh).kid;
    assert.notEqual(newKid, oldKid);
    for (const addr of [env.KYODO_GATEWAY, prodAddr]) {
      assert.equal(kyodoctl(fresh, ['partners', 'list'], addr).code, 0, `new kid at ${addr}`);
      assert.equal(kyodoctl(oldToken, ['partners', 'list'], addr).code, 0, `old kid at ${addr}`);
    }
    idp('retire');
    await publishedKids((kids) => !kids.includes(oldKid));
    expectRefused(kyodoctl(oldToken, ['partners', 'list'], prodAddr), /unknown signing key/);
    assert.equal(kyodoctl(fresh, ['partners', 'list'], prodAddr).code, 0);
    assert.equal(kyodoctl(fresh, ['partners', 'list']).code, 0);
    // The same process all along.
    assert.equal(production.exitCode, null, productionLog);
    assert.equal(production.pid, productionPid);
    assert.match(productionLog, new RegExp(`"msg":"jwks loaded".*"kids":"[^"]*${newKid}`));
  });
} finally {
  production.kill('SIGTERM');
}

console.log(failures ? `oidc: ${failures} failed` : 'oidc: all passed');
process.exit(failures ? 1 : 0);

// Self-test of provider.mjs: starts it, then drives the authorization code flow
// (PKCE, login form, token endpoint, logout) with fetch and a tiny cookie jar.
// Prints "selftest: ok" and exits 0, or prints the failure and exits 1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CLIENT = {
  client_id: 'cairn-test',
  client_secret: 'cairn-test-secret',
  redirect_uris: ['http://127.0.0.1:9/cb'], // never fetched: we stop at the Location header
  post_logout_redirect_uris: ['http://127.0.0.1:9/signed-out'],
};
const REDIRECT = CLIENT.redirect_uris[0];
const dir = mkdtempSync(join(tmpdir(), 'cairn-oidc-'));
const usersFile = join(dir, 'users.json');
const writeUsers = (groups) => writeFileSync(usersFile, JSON.stringify([{
  username: 'alice', password: 'alice-pw', email: 'alice@example.test', email_verified: true, name: 'Alice Tester', groups,
}]));

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const decodeJwt = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

// Cookie jar keyed by name; good enough for one host.
function newJar() {
  const cookies = new Map();
  return {
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    store(res) {
      for (const line of res.headers.getSetCookie()) {
        const [pair, ...attrs] = line.split(';');
        const i = pair.indexOf('=');
        const name = pair.slice(0, i).trim();
        const value = pair.slice(i + 1).trim();
        const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now());
        if (!value || expired) cookies.delete(name); else cookies.set(name, value);
      }
    },
  };
}

async function request(jar, url, { method = 'GET', form, headers = {} } = {}) {
  const res = await fetch(url, {
    method,
    redirect: 'manual',
    headers: { cookie: jar.header(), ...(form && { 'content-type': 'application/x-www-form-urlencoded' }), ...headers },
    body: form && new URLSearchParams(form),
  });
  jar.store(res);
  return res;
}

// Follow redirects by hand; stop at the client's redirect_uri (returned as a URL) or a page.
async function follow(jar, res, base, stopAt) {
  for (let hops = 0; hops < 10; hops += 1) {
    if (res.status < 300 || res.status >= 400) return { page: await res.text(), res };
    const location = new URL(res.headers.get('location'), base);
    if (location.href.startsWith(stopAt)) return { location };
    res = await request(jar, location);
  }
  throw new Error('too many redirects');
}

async function tokenRequest(disco, form, auth = 'basic') {
  const headers = {};
  if (auth === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}`;
  } else {
    Object.assign(form, { client_id: CLIENT.client_id, client_secret: CLIENT.client_secret });
  }
  return request(newJar(), disco.token_endpoint, { method: 'POST', form, headers });
}

// One authorization code flow; `password` null means an IdP session must already exist.
async function signIn(disco, jwks, jar, password) {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(12));
  const nonce = b64url(randomBytes(12));
  const auth = new URL(disco.authorization_endpoint);
  auth.search = new URLSearchParams({
    client_id: CLIENT.client_id,
    response_type: 'code',
    scope: 'openid profile email groups',
    redirect_uri: REDIRECT,
    state,
    nonce,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  });
  let step = await follow(jar, await request(jar, auth), auth, REDIRECT);

  if (password !== null) {
    // The login page.
    assert.ok(step.page, 'expected the login page');
    assert.match(step.page, /<title>Test identity provider — sign in<\/title>/);
    for (const id of ['idp-username', 'idp-password', 'idp-submit']) assert.ok(step.page.includes(`data-testid="${id}"`), id);
    const action = new URL(step.page.match(/<form method="post" action="([^"]+)"/)[1], step.res.url);
    // Wrong password re-renders the form with an error.
    const bad = await request(jar, action, { method: 'POST', form: { username: 'alice', password: 'nope' } });
    assert.equal(bad.status, 200);
    assert.match(await bad.text(), /Wrong username or password/);
    const ok = await request(jar, action, { method: 'POST', form: { username: 'alice', password } });
    step = await follow(jar, ok, action, REDIRECT);
  }
  assert.ok(step.location, `expected a redirect to ${REDIRECT}, got a page: ${step.page?.slice(0, 300)}`);
  const params = step.location.searchParams;
  assert.equal(params.get('state'), state, 'state passed through');
  const code = params.get('code');
  assert.ok(code, 'code in redirect');

  const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
  const res = await tokenRequest(disco, { ...form });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  const [header, payload, signature] = body.id_token.split('.');
  const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url'));
  assert.equal(alg, 'RS256');
  const key = createPublicKey({ key: jwks.keys.find((k) => k.kid === kid), format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')), 'signature');
  const claims = decodeJwt(body.id_token);
  assert.equal(claims.iss, disco.issuer);
  assert.equal(claims.aud, CLIENT.client_id);
  assert.equal(claims.nonce, nonce);
  assert.equal(claims.sub, 'alice');
  assert.equal(claims.preferred_username, 'alice');
  assert.equal(claims.email, 'alice@example.test');
  assert.equal(claims.email_verified, true);
  assert.equal(claims.name, 'Alice Tester');

  // The code is single-use (second try via client_secret_post).
  const again = await tokenRequest(disco, { ...form }, 'post');
  assert.equal(again.status, 400);
  assert.equal((await again.json()).error, 'invalid_grant');
  return { claims, idToken: body.id_token };
}

async function startProvider() {
  const child = spawn(process.execPath, [new URL('./provider.mjs', import.meta.url).pathname], {
    env: { ...process.env, OIDC_PORT: '0', OIDC_CLIENTS: JSON.stringify([CLIENT]), OIDC_USERS: usersFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const line = await Promise.race([
    createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => r.value),
    exited.then(() => { throw new Error(`provider exited early:\n${stderr}`); }),
    new Promise((_, reject) => { setTimeout(() => reject(new Error(`provider not ready:\n${stderr}`)), 15000).unref(); }),
  ]);
  return { child, ready: JSON.parse(line), exited, stderr: () => stderr };
}

let provider;
try {
  writeUsers(['cairn-admins']);
  provider = await startProvider();
  const { issuer, port } = provider.ready;
  assert.equal(issuer, `http://127.0.0.1:${port}`);

  const disco = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  assert.equal(disco.issuer, issuer);
  assert.ok(disco.end_session_endpoint, 'end_session_endpoint advertised');
  assert.deepEqual(disco.code_challenge_methods_supported, ['S256']);
  const jwks = await (await fetch(disco.jwks_uri)).json();

  // 1. First login: alice is an admin.
  const jar = newJar();
  const first = await signIn(disco, jwks, jar, 'alice-pw');
  assert.deepEqual(first.claims.groups, ['cairn-admins']);

  // 2. Groups change on disk; a fresh login sees them.
  writeUsers([]);
  const second = await signIn(disco, jwks, newJar(), 'alice-pw');
  assert.deepEqual(second.claims.groups, []);

  // 3. Silent re-authentication on the first IdP session (no form) also sees them.
  const third = await signIn(disco, jwks, jar, null);
  assert.deepEqual(third.claims.groups, []);

  // 4. RP-initiated logout: confirmation page, then back to post_logout_redirect_uri.
  const end = new URL(disco.end_session_endpoint);
  end.search = new URLSearchParams({
    id_token_hint: third.idToken, post_logout_redirect_uri: CLIENT.post_logout_redirect_uris[0], state: 'bye',
  });
  const confirm = await follow(jar, await request(jar, end), end, CLIENT.post_logout_redirect_uris[0]);
  assert.match(confirm.page, /Yes, sign me out/);
  const action = new URL(confirm.page.match(/<form[^>]*action="([^"]+)"/)[1], end);
  const xsrf = confirm.page.match(/name="xsrf" value="([^"]+)"/)[1];
  const out = await follow(jar, await request(jar, action, { method: 'POST', form: { xsrf, logout: 'yes' } }),
    action, CLIENT.post_logout_redirect_uris[0]);
  assert.equal(out.location?.searchParams.get('state'), 'bye', 'redirected to post_logout_redirect_uri');

  // 5. Clean shutdown on SIGTERM.
  provider.child.kill('SIGTERM');
  assert.deepEqual(await provider.exited, { code: 0, signal: null });
  provider = undefined;
  console.log('selftest: ok');
} catch (err) {
  console.error('selftest: FAILED');
  console.error(err);
  if (provider) console.error(`--- provider stderr ---\n${provider.stderr()}`);
  process.exitCode = 1;
} finally {
  provider?.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

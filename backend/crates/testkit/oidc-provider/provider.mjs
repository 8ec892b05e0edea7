// Cairn test identity provider: a real OpenID Connect provider (panva's
// oidc-provider) with a tiny login page, configured from the environment.
// Prints one JSON line {"issuer","port"} on stdout when ready. See README.md.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

// stdout carries only the ready line: oidc-provider prints its notices with
// console.info, so send all console output to stderr.
console.log = console.info = console.error;

const port = Number(process.env.OIDC_PORT ?? 0);
let issuer; let provider; let handle; // set once the server is listening
const usersFile = process.env.OIDC_USERS;
if (!usersFile) throw new Error('OIDC_USERS (path to a users JSON file) is required');
const clients = JSON.parse(process.env.OIDC_CLIENTS ?? '[]').map((c) => ({
  client_id: c.client_id,
  client_secret: c.client_secret,
  redirect_uris: c.redirect_uris,
  post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  // A client registered for client_secret_basic may also use client_secret_post.
  token_endpoint_auth_method: 'client_secret_basic',
}));

// Users are read from disk on every use, so a test can edit them between logins.
const loadUsers = () => JSON.parse(readFileSync(usersFile, 'utf8'))
  .map((u) => ({ ...u, sub: u.sub ?? u.username }));

async function findAccount(ctx, sub) {
  const user = loadUsers().find((u) => u.sub === sub);
  if (!user) return undefined;
  return {
    accountId: sub,
    // oidc-provider filters these by the granted scopes/claims.
    claims: async () => ({
      sub,
      name: user.name,
      preferred_username: user.username,
      email: user.email,
      email_verified: user.email_verified,
      groups: user.groups ?? [],
    }),
  };
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}
main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1.2rem;width:100%;padding:.6rem;font-size:1rem;background:#2457c5;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{color:#b00020;background:#fde7ea;padding:.5rem;border-radius:4px}.hint{color:#666;font-size:.9rem}`;
const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>${STYLE}</style></head><body><main>${body}</main></body></html>`;

function loginPage(uid, clientId, { error, username = '' } = {}) {
  return page('Test identity provider — sign in', `<h1>Sign in</h1>
<p class="hint">Test identity provider, signing in to <b>${esc(clientId)}</b></p>
${error ? `<p class="error" role="alert" data-testid="idp-error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="username">Username</label>
<input id="username" name="username" data-testid="idp-username" value="${esc(username)}" autocomplete="username" autofocus required>
<label for="password">Password</label>
<input id="password" name="password" type="password" data-testid="idp-password" autocomplete="current-password" required>
<button type="submit" data-testid="idp-submit">Sign in</button>
</form>`);
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

// Grant everything the client asked for (there is never a consent page).
async function autoGrant(details, accountId) {
  const { params, prompt } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope ?? 'openid');
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  return grant.save();
}

// GET /interaction/:uid and POST /interaction/:uid/login.
async function interaction(req, res) {
  const [, , uid, action] = new URL(req.url, issuer).pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Error', '<h1>Interaction mismatch</h1>'));
  const clientId = details.params.client_id;

  if (req.method === 'GET' && !action) {
    if (details.prompt.name === 'login') return send(res, 200, loginPage(uid, clientId));
    // consent (or any other prompt) once logged in: grant it silently
    const grantId = await autoGrant(details, details.session.accountId);
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const username = form.get('username') ?? '';
    const user = loadUsers().find((u) => u.username === username && u.password === form.get('password'));
    if (!user) return send(res, 200, loginPage(uid, clientId, { error: 'Wrong username or password', username }));
    const grantId = await autoGrant(details, user.sub);
    return provider.interactionFinished(req, res, {
      login: { accountId: user.sub },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  }
  return send(res, 404, page('Not found', '<h1>Not found</h1>'));
}

const server = createServer((req, res) => {
  if (!provider) return send(res, 503, page('Starting', '<h1>Starting…</h1>'));
  // Browsers ask every site for an icon; a 404 would show as a console error in the e2e run.
  if (req.url === '/favicon.ico') return res.writeHead(204).end();
  if (!req.url.startsWith('/interaction/')) return handle(req, res);
  interaction(req, res).catch((err) => {
    if (!(err instanceof errors.OIDCProviderError)) console.error(err);
    send(res, err.statusCode ?? 500, page('Error', `<h1>Sign-in failed</h1><p>${esc(err.error_description ?? err.message)}</p>
<p class="hint">Start again from the application.</p>`));
  });
});
// OIDC_HOST and OIDC_ISSUER let the docker compose demo listen on every interface and
// name itself by an address both the browser and the Cairn container reach.
await new Promise((resolve) => server.listen(port, process.env.OIDC_HOST ?? '127.0.0.1', resolve));
const actualPort = server.address().port;
issuer = process.env.OIDC_ISSUER ?? `http://127.0.0.1:${actualPort}`;

// RS256 signing key, fresh for every run.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };

provider = new Provider(issuer, {
  clients,
  findAccount,
  jwks: { keys: [jwk] },
  responseTypes: ['code'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  // Put the scope claims in the ID token too, not only in /userinfo.
  conformIdTokenClaims: false,
  pkce: { required: () => true }, // S256 is the only method oidc-provider 9 accepts
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [randomBytes(32).toString('hex')] }, // not `secure`: ctx.secure is false on plain HTTP
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Test identity provider — sign out', `<h1>Sign out?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" data-testid="idp-logout-confirm" autofocus>Yes, sign me out</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Test identity provider — signed out', '<h1>You are signed out</h1>');
      },
    },
  },
  clientBasedCORS: () => true, // test IdP: any origin may call it
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Test identity provider — error', `<h1>Error</h1>${Object.entries(out)
      .map(([k, v]) => `<p><b>${esc(k)}</b>: ${esc(v)}</p>`).join('')}`);
  },
  ttl: {
    AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600,
  },
});
provider.proxy = false;
handle = provider.callback();

process.stdout.write(`${JSON.stringify({ issuer, port: actualPort })}\n`);

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

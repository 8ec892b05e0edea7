// End-to-end test of Cairn: starts the real cairn-server on a fresh data dir, drives the built
// web app in Debian's Chromium (playwright-core, no browser download) through first-run setup,
// users, roles, API refusal, profile tokens and the audit log, and screenshots every state.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');
const serverBin = process.env.CAIRN_SERVER_BIN
  ? path.resolve(process.env.CAIRN_SERVER_BIN)
  : path.resolve(here, '../backend/target/debug/cairn-server');
const chromiumBin = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const STEP_TIMEOUT = 15_000;

const ADMIN = { username: 'admin', display: 'Ada Admin', password: 'correct-horse-battery-1' };
const OPERATOR = { username: 'olga', display: 'Olga Operator', email: 'olga@example.com', password: 'operator-pass-12345' };
const VIEWER = { username: 'victor', display: 'Victor Viewer', password: 'viewer-pass-123456' };

let passed = 0;
let failed = 0;
const failures = [];
/** The page being driven, so a failed check can leave a screenshot behind. */
let currentPage = null;
const consoleErrors = [];

function log(message) {
  process.stdout.write(`${message}\n`);
}

/** One named assertion; a failure stops the flow (later steps depend on earlier ones). */
let currentStep = 'start';
async function check(name, fn) {
  currentStep = name;
  try {
    await fn();
    passed += 1;
    log(`  ok   ${name}`);
  } catch (error) {
    failed += 1;
    const message = error instanceof Error ? error.message.split('\n').slice(0, 6).join('\n') : String(error);
    failures.push(`${name}: ${message}`);
    log(`  FAIL ${name}\n       ${message.replaceAll('\n', '\n       ')}`);
    if (currentPage) {
      const file = path.join(artifacts, 'failure.png');
      await currentPage.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      log(`       at ${currentPage.url()} (screenshot: e2e/artifacts/failure.png)`);
    }
    if (consoleErrors.length) log(`       browser console errors:\n       ${consoleErrors.join('\n       ')}`);
    throw new StopFlow(name);
  }
}

class StopFlow extends Error {}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForReady(base, server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`cairn-server exited early with code ${server.exitCode} (see artifacts/server.log)`);
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`cairn-server did not answer 200 on /readyz within ${timeoutMs / 1000}s`);
}

async function waitForFile(file, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = (await readFile(file, 'utf8')).trim();
      if (text) return text;
    }
    await sleep(100);
  }
  throw new Error(`${file} did not appear`);
}

async function main() {
  await rm(artifacts, { recursive: true, force: true });
  await mkdir(artifacts, { recursive: true });
  if (!existsSync(serverBin)) {
    throw new Error(`server binary not found at ${serverBin}; build it (cargo build -p cairn-server) or set CAIRN_SERVER_BIN`);
  }
  if (!existsSync(chromiumBin)) throw new Error(`Chromium not found at ${chromiumBin} (apt-get install chromium)`);

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serverLog = createWriteStream(path.join(artifacts, 'server.log'));
  log(`cairn e2e: server ${serverBin}\n           data ${dataDir}\n           url  ${base}`);

  const server = spawn(serverBin, ['serve'], {
    env: {
      ...process.env,
      CAIRN_DATA_DIR: dataDir,
      CAIRN_DATABASE_URL: `sqlite://${dataDir}/cairn.db`,
      CAIRN_LISTEN: `127.0.0.1:${port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.pipe(serverLog);
  server.stderr.pipe(serverLog);

  let browser;
  const stopServer = async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await Promise.race([new Promise((r) => server.once('exit', r)), sleep(5000)]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  };
  const onSignal = () => {
    void stopServer().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await check('server starts and /readyz answers 200', () => waitForReady(base, server));
    await check('the server serves the built web app at /', async () => {
      const res = await fetch(`${base}/`);
      const text = await res.text();
      assert(
        res.status === 200 && text.includes('id="root"'),
        `GET / answered ${res.status}: ${text.slice(0, 160).trim()}\n` +
          'build the web app (cd frontend && npm run build), then rebuild cairn-server so it embeds frontend/dist',
      );
    });
    const setupToken = await waitForFile(path.join(dataDir, 'setup-token'));

    browser = await chromium.launch({
      executablePath: chromiumBin,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    currentPage = page;
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`[${currentStep}] ${msg.text()}`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`[${currentStep}] pageerror: ${err.message} ${err.cause ?? ''}`));

    await runFlow({ page, base, setupToken, context });

    await check('no uncaught errors in the page', () => {
      // 401/403 answers the flow provokes on purpose show up as "Failed to load resource".
      const real = consoleErrors.filter((m) => !/status of (401|403|409)/.test(m));
      assert(real.length === 0, `console errors:\n${real.join('\n')}`);
    });
  } catch (error) {
    if (!(error instanceof StopFlow)) {
      failed += 1;
      failures.push(String(error instanceof Error ? error.message : error));
      log(`  FAIL ${error instanceof Error ? error.message : error}`);
    }
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    await stopServer();
    serverLog.end();
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }

  if (failures.length) log(`\nFailures (server log: e2e/artifacts/server.log):\n- ${failures.join('\n- ')}`);
  log(`\n${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

async function shot(page, name) {
  await page.mouse.move(1, 1); // no hover tooltips in the picture
  await page.waitForTimeout(300); // let transitions settle
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

function pathOf(page) {
  return new URL(page.url()).pathname;
}

async function waitForPath(page, pathname) {
  await page.waitForURL((url) => url.pathname === pathname, { timeout: STEP_TIMEOUT });
}

async function signIn(page, base, user) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByLabel('Password', { exact: true }).press('Enter');
  await waitForPath(page, '/');
  await page.getByTestId('signed-in-as').waitFor();
}

async function signOut(page) {
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await waitForPath(page, '/login');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

async function mainNavLinks(page) {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.waitFor();
  return (await nav.getByRole('link').allTextContents()).map((t) => t.trim());
}

async function createUser(page, user, roleLabel) {
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.waitFor();
  await dialog.getByLabel('Username').fill(user.username);
  await dialog.getByLabel('Display name').fill(user.display);
  if (user.email) await dialog.getByLabel('Email').fill(user.email);
  await dialog.getByText(roleLabel, { exact: true }).click();
  await dialog.getByLabel('Initial password').fill(user.password);
  await dialog.getByLabel('Confirm password').fill(user.password);
  return dialog;
}

async function runFlow({ page, base, setupToken, context }) {
  log('\nfirst run');
  await check('/ redirects to /setup while setup is required', async () => {
    await page.goto(`${base}/`);
    await waitForPath(page, '/setup');
    await page.getByRole('heading', { name: 'Welcome to Cairn' }).waitFor();
    await page.getByText('data/setup-token').first().waitFor();
    await shot(page, 'setup');
  });

  await check('setup creates the admin and signs them in', async () => {
    await page.getByLabel('Setup token').fill(setupToken);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Display name').fill(ADMIN.display);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm password').fill(ADMIN.password);
    await page.getByRole('button', { name: /create administrator/i }).click();
    await waitForPath(page, '/');
    const who = await page.getByTestId('signed-in-as').textContent();
    assert(who?.includes(ADMIN.username) && who.includes('Admin'), `home shows "${who}"`);
    await shot(page, 'home');
  });

  await check('sign out lands on the login page', async () => {
    await signOut(page);
    await shot(page, 'login');
  });

  await check('a wrong password shows the server message', async () => {
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByTestId('login-error');
    await alert.waitFor();
    const text = (await alert.textContent())?.trim() ?? '';
    assert(text.length > 5 && !/^error$/i.test(text), `login error text is "${text}"`);
    assert(pathOf(page) === '/login', `still on /login, got ${pathOf(page)}`);
    await shot(page, 'login-error');
  });

  log('\nadmin manages users');
  await check('admin signs in', () => signIn(page, base, ADMIN));

  await check('admin sees Users and Audit log in the navigation', async () => {
    const links = await mainNavLinks(page);
    assert(links.includes('Users') && links.includes('Audit log'), `nav links: ${links.join(', ')}`);
  });

  await check('users page lists the admin', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await waitForPath(page, '/users');
    await page.getByTestId(`user-row-${ADMIN.username}`).waitFor();
    await shot(page, 'users');
  });

  await check('the new-user form refuses a short password before sending', async () => {
    const dialog = await createUser(page, { ...OPERATOR, password: 'short' }, 'Operator');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.getByText('Password must be at least 12 characters').waitFor();
    await dialog.getByLabel('Initial password').fill(OPERATOR.password);
    await dialog.getByLabel('Confirm password').fill(OPERATOR.password);
    await shot(page, 'user-create-modal');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId(`user-row-${OPERATOR.username}`).waitFor();
  });

  await check('admin creates a viewer', async () => {
    const dialog = await createUser(page, VIEWER, 'Viewer');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByTestId(`user-row-${VIEWER.username}`);
    await row.waitFor();
    const text = await row.textContent();
    assert(text?.includes('Viewer') && text.includes('Active'), `viewer row: ${text}`);
    const opRow = await page.getByTestId(`user-row-${OPERATOR.username}`).textContent();
    assert(opRow?.includes('Operator') && opRow.includes(OPERATOR.email), `operator row: ${opRow}`);
  });

  await check('a taken username is refused with the server message', async () => {
    const dialog = await createUser(page, VIEWER, 'Viewer');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.getByText(/taken|exists/i).first().waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  const rowOf = (username) => page.getByTestId(`user-row-${username}`);
  const rowAction = async (username, item) => {
    await page.getByRole('button', { name: `Actions for ${username}` }).click();
    await page.getByRole('menuitem', { name: item }).click();
  };
  const apiLogin = (username, password) =>
    fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  const NEW_PASSWORD = 'a-brand-new-password-7';

  await check('admin edits a user', async () => {
    await rowAction(OPERATOR.username, 'Edit');
    const dialog = page.getByRole('dialog', { name: 'Edit user' });
    await dialog.getByLabel('Display name').fill('Olga O.');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await rowOf(OPERATOR.username).getByText('Olga O.', { exact: true }).filter({ visible: true }).waitFor();
  });

  await check('admin disables a user, who then cannot sign in', async () => {
    await rowAction(OPERATOR.username, 'Disable');
    await rowOf(OPERATOR.username).getByText('Disabled').filter({ visible: true }).waitFor();
    const res = await apiLogin(OPERATOR.username, OPERATOR.password);
    assert(res.status !== 200, `a disabled user signed in (HTTP ${res.status})`);
  });

  await check('admin resets the password and re-enables the user, who can sign in with it', async () => {
    await rowAction(OPERATOR.username, 'Reset password');
    const dialog = page.getByRole('dialog', { name: 'Reset password' });
    await dialog.getByLabel('New password').fill(NEW_PASSWORD);
    await dialog.getByLabel('Confirm password').fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await rowAction(OPERATOR.username, 'Enable');
    await rowOf(OPERATOR.username).getByText('Active').filter({ visible: true }).waitFor();
    const res = await apiLogin(OPERATOR.username, NEW_PASSWORD);
    assert(res.status === 200, `login with the reset password: HTTP ${res.status} ${await res.text()}`);
  });

  await check('deleting a user needs the username typed', async () => {
    await rowAction(OPERATOR.username, 'Delete');
    const dialog = page.getByRole('dialog', { name: 'Delete user' });
    const confirm = dialog.getByRole('button', { name: 'Delete user' });
    assert(await confirm.isDisabled(), 'delete must stay disabled until the username is typed');
    await dialog.getByLabel(`Type ${OPERATOR.username} to confirm`).fill(OPERATOR.username);
    await confirm.click();
    await dialog.waitFor({ state: 'hidden' });
    await rowOf(OPERATOR.username).waitFor({ state: 'detached' });
  });

  await check('users and audit pages work at phone width (390x844)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByTestId(`user-row-${VIEWER.username}`).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    const onScreen = async () => {
      const box = await nav.boundingBox();
      return !!box && box.x + box.width > 1;
    };
    assert(!(await onScreen()), 'navbar should be collapsed behind the burger on a phone');
    await shot(page, 'users-phone');
    await page.getByRole('button', { name: 'Toggle navigation' }).click();
    await page.waitForFunction(
      () => (document.querySelector('nav[aria-label="Main"]')?.getBoundingClientRect().left ?? -1) >= 0,
    );
    await shot(page, 'users-phone-menu');
    await nav.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForFunction(
      () => (document.querySelector('nav[aria-label="Main"]')?.getBoundingClientRect().right ?? 0) <= 1,
    );
    await waitForPath(page, '/audit');
    await page.getByTestId('audit-row').first().waitFor();
    await shot(page, 'audit-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  log('\nprofile and API tokens');
  let secret = '';
  await check('profile page shows details, password and an empty token list', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
    await waitForPath(page, '/profile');
    await page.getByTestId('tokens-empty').waitFor();
    await shot(page, 'profile');
  });

  await check('creating a token shows its secret once', async () => {
    await page.getByRole('button', { name: 'New token' }).click();
    const form = page.getByRole('dialog', { name: 'New API token' });
    await form.getByLabel('Name').fill('e2e script');
    await form.getByText('30 days', { exact: true }).click();
    await form.getByRole('button', { name: 'Create token' }).click();
    const modal = page.getByRole('dialog', { name: 'Your new API token' });
    await modal.waitFor();
    secret = await page.getByTestId('token-secret').inputValue();
    assert(secret.length > 20, `secret looks too short: "${secret}"`);
    assert((await modal.textContent())?.includes('You will not see it again'), 'one-time warning missing');
    await shot(page, 'token-secret-modal');
    await modal.getByRole('button', { name: 'I have copied it' }).click();
    await modal.waitFor({ state: 'hidden' });
    const table = await page.getByTestId('tokens-table').textContent();
    assert(table?.includes('e2e script') && !table.includes(secret), 'token list should show the name but never the secret');
  });

  await check('the token authenticates API calls as its owner', async () => {
    const res = await fetch(`${base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${secret}` } });
    const body = await res.json();
    assert(res.status === 200, `GET /auth/me with the token: ${res.status} ${JSON.stringify(body)}`);
    assert(body.user?.username === ADMIN.username && body.auth_method === 'token', `me: ${JSON.stringify(body)}`);
  });

  log('\nsession expiry');
  await check('an expired access cookie is refreshed without leaving the page', async () => {
    await context.clearCookies({ name: 'cairn_access' });
    const refreshed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/refresh');
    const retried = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/users' && r.status() === 200);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    const refresh = await refreshed;
    assert(refresh.status() === 200, `POST /auth/refresh answered ${refresh.status()}`);
    await retried;
    await page.getByTestId(`user-row-${VIEWER.username}`).waitFor();
    assert(pathOf(page) === '/users', `expected to stay on /users, got ${page.url()}`);
    const names = (await context.cookies()).map((c) => c.name);
    assert(names.includes('cairn_access'), `no new cairn_access cookie after refresh: ${names.join(', ')}`);
  });

  await check('a lost session sends you to sign in, then back where you were', async () => {
    await context.clearCookies({ name: 'cairn_access' });
    await context.clearCookies({ name: 'cairn_refresh' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
    await waitForPath(page, '/login');
    const next = new URL(page.url()).searchParams.get('next');
    assert(next === '/profile', `next is ${next}`);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await waitForPath(page, '/profile');
    await page.getByTestId('tokens-table').waitFor();
  });

  log('\nviewer is refused');
  await check('admin signs out, viewer signs in', async () => {
    await signOut(page);
    await signIn(page, base, VIEWER);
    await shot(page, 'viewer-home');
  });

  await check('viewer navigation has no Users or Audit log', async () => {
    const links = await mainNavLinks(page);
    assert(!links.includes('Users') && !links.includes('Audit log'), `viewer nav links: ${links.join(', ')}`);
    assert(links.includes('Home') && links.includes('Profile'), `viewer nav links: ${links.join(', ')}`);
  });

  await check('/users shows the no-access state to the viewer', async () => {
    await page.goto(`${base}/users`);
    await page.getByTestId('no-access').waitFor();
    assert((await page.getByTestId('users-table').count()) === 0, 'users table must not render');
    await shot(page, 'viewer-no-access');
  });

  await check('the API refuses GET /api/v1/users to the viewer with 403 auth.forbidden', async () => {
    const res = await page.evaluate(async () => {
      const r = await fetch('/api/v1/users');
      return { status: r.status, body: await r.json().catch(() => null) };
    });
    assert(res.status === 403, `status ${res.status}`);
    assert(res.body?.code === 'auth.forbidden', `body ${JSON.stringify(res.body)}`);
    assert(typeof res.body?.message === 'string' && res.body.message.length > 0, 'error message missing');
  });

  await check('the API refuses POST /api/v1/users (with CSRF header) to the viewer with 403', async () => {
    const res = await page.evaluate(async () => {
      const csrf = document.cookie
        .split(';')
        .map((c) => c.trim())
        .find((c) => c.startsWith('cairn_csrf='))
        ?.slice('cairn_csrf='.length);
      const r = await fetch('/api/v1/users', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf ?? '') },
        body: JSON.stringify({ username: 'mallory', role: 'admin', password: 'mallory-password-1' }),
      });
      return { status: r.status, hadCsrf: !!csrf, body: await r.json().catch(() => null) };
    });
    assert(res.hadCsrf, 'cairn_csrf cookie not readable from the page');
    assert(res.status === 403, `status ${res.status} ${JSON.stringify(res.body)}`);
    assert(res.body?.code === 'auth.forbidden', `body ${JSON.stringify(res.body)}`);
  });

  log('\naudit log');
  await check('admin signs back in and opens the audit log', async () => {
    await signOut(page);
    await signIn(page, base, ADMIN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await waitForPath(page, '/audit');
    await page.getByTestId('audit-row').first().waitFor();
  });

  const rows = async () =>
    page.getByTestId('audit-row').evaluateAll((els) =>
      els.map((el) => ({ action: el.dataset.action, outcome: el.dataset.outcome, actor: el.dataset.actor })),
    );

  await check('audit shows setup.complete, two user.create, auth.login and the viewer’s access.denied', async () => {
    const events = await rows();
    const count = (pred) => events.filter(pred).length;
    const summary = events.map((e) => `${e.action}/${e.outcome}/${e.actor}`).join(', ');
    assert(count((e) => e.action === 'setup.complete') === 1, `setup.complete missing: ${summary}`);
    assert(count((e) => e.action === 'user.create' && e.outcome === 'success') >= 2, `user.create x2 missing: ${summary}`);
    assert(count((e) => e.action === 'auth.login' && e.outcome === 'success') >= 2, `auth.login missing: ${summary}`);
    assert(
      count((e) => e.action === 'access.denied' && e.outcome === 'denied' && e.actor === VIEWER.username) >= 1,
      `access.denied by ${VIEWER.username} missing: ${summary}`,
    );
    await shot(page, 'audit');
  });

  await check('an audit row opens its details', async () => {
    await page.locator('[data-testid="audit-row"][data-action="access.denied"]').first().click();
    const drawer = page.getByRole('dialog');
    await drawer.getByTestId('audit-details-json').waitFor();
    const text = await drawer.textContent();
    assert(text?.includes('access.denied') && text.includes(VIEWER.username), `drawer: ${text?.slice(0, 200)}`);
    await shot(page, 'audit-drawer');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
  });

  await check('filtering by outcome narrows the list', async () => {
    await page.getByRole('combobox', { name: 'Outcome' }).click();
    await page.getByRole('option', { name: 'Denied' }).click();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => {
      const outcomes = [...document.querySelectorAll('[data-testid="audit-row"]')].map((el) => el.dataset.outcome);
      return outcomes.length > 0 && outcomes.every((o) => o === 'denied');
    });
    const events = await rows();
    assert(events.length >= 1 && events.every((e) => e.outcome === 'denied'), `rows: ${JSON.stringify(events)}`);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="audit-row"]')].some((el) => el.dataset.outcome === 'success'),
    );
  });

  await check('CSV export downloads the events', async () => {
    const res = await page.evaluate(async () => {
      const r = await fetch('/api/v1/audit/export?format=csv');
      return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), text: await r.text() };
    });
    assert(res.status === 200, `status ${res.status}: ${res.text.slice(0, 200)}`);
    assert(res.type?.includes('csv'), `content-type ${res.type}`);
    assert(res.disposition?.includes('attachment'), `content-disposition ${res.disposition}`);
    assert(res.text.includes('user.create'), 'CSV lacks user.create');
  });

  await check('verify chain reports an intact chain', async () => {
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    const ok = await result.getAttribute('data-ok');
    const text = await result.textContent();
    assert(ok === 'true', `verification: ${text}`);
    assert(/Chain intact: \d+ events checked/.test(text ?? ''), `verification text: ${text}`);
  });

  await check('dark mode toggles and survives a reload', async () => {
    await page.getByTestId('color-scheme-toggle').click();
    await page.waitForFunction(() => document.documentElement.getAttribute('data-mantine-color-scheme') === 'dark');
    await shot(page, 'audit-dark');
    await page.reload();
    await page.getByTestId('audit-row').first().waitFor();
    const scheme = await page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
    assert(scheme === 'dark', `after reload the scheme is ${scheme}`);
    await page.getByTestId('color-scheme-toggle').click();
  });

  await check('an unknown address shows the not-found page', async () => {
    await page.goto(`${base}/no/such/page`);
    await page.getByText('Page not found').waitFor();
  });

  void context;
}

main().catch((error) => {
  log(`e2e crashed: ${error instanceof Error ? error.stack : error}`);
  log(`\n${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
});

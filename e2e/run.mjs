// End-to-end test of Cairn: starts the real cairn-server on a fresh data dir, drives the built
// web app in Debian's Chromium (playwright-core, no browser download) through first-run setup,
// users, roles, API refusal, profile tokens, the audit log, repositories, and the fleet with
// real cairn-agent processes (token enrollment and announce-and-approve), and screenshots
// every state. The server speaks HTTPS with its own self-signed certificate, so the agents
// enroll with the `--pin` the web app shows, proving the pinned TLS path end to end.
//
// Environment: CAIRN_SERVER_BIN, CAIRN_AGENT_BIN (default ../backend/target/debug/…),
// CHROMIUM_BIN; CAIRN_E2E_WEB=embedded forces the web app embedded in the server even when
// frontend/dist is newer (by default the newer dist is served through a local front);
// CAIRN_E2E_TLS=off runs the server on plain HTTP instead.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { jobsFlow } from './jobs-flow.mjs';
import { apiRecorder } from './record.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');
/** Every /api/ answer of the run, for the contract check (see record.mjs). */
const apiResponsesFile = path.join(artifacts, 'api-responses.ndjson');
const serverBin = process.env.CAIRN_SERVER_BIN
  ? path.resolve(process.env.CAIRN_SERVER_BIN)
  : path.resolve(here, '../backend/target/debug/cairn-server');
const agentBin = process.env.CAIRN_AGENT_BIN
  ? path.resolve(process.env.CAIRN_AGENT_BIN)
  : path.resolve(here, '../backend/target/debug/cairn-agent');
const distDir = path.resolve(here, '../frontend/dist');
const chromiumBin = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const STEP_TIMEOUT = 15_000;
/** HTTPS with the server's self-signed certificate (default), or plain HTTP. */
const TLS = (process.env.CAIRN_E2E_TLS ?? 'self_signed') !== 'off';

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

/** The server's self-signed certificate and key (PEM), once it has made them. */
const serverTls = { cert: null, key: null };

async function loadServerTls(dataDir) {
  const dir = path.join(dataDir, 'tls');
  serverTls.cert = await waitForFile(path.join(dir, 'self-signed.crt'), 30_000);
  serverTls.key = await waitForFile(path.join(dir, 'self-signed.key'));
}

/**
 * fetch() for this process's own requests to the server. Over HTTPS it trusts exactly the
 * server's self-signed certificate (no global switch-off of certificate checks); the answer
 * offers what the flow uses of a Response: status, headers.get, text(), json(). Its /api/
 * answers are recorded for the contract check (source "node").
 */
const serverFetch = apiRecorder.wrapFetch(rawServerFetch);

function rawServerFetch(url, { method = 'GET', headers = {}, body } = {}) {
  if (!url.startsWith('https:')) return fetch(url, { method, headers, body });
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: serverTls.cert ?? undefined }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode,
          headers: { get: (name) => res.headers[name.toLowerCase()] ?? null },
          text: async () => text,
          json: async () => JSON.parse(text),
        });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** The SHA-256 of the certificate a TLS server presents, as colon-separated hex. */
function presentedFingerprint(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ca: serverTls.cert ?? undefined }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

/** The arguments of the first `cairn-agent …` in a command line as the web app shows it. */
function agentArgs(command) {
  const words = command.split('&&')[0].trim().split(/\s+/);
  assert(words[0] === 'cairn-agent', `not a cairn-agent command: ${command}`);
  return words.slice(1);
}

function argAfter(args, flag) {
  const i = args.indexOf(flag);
  return i >= 0 ? (args[i + 1] ?? '') : '';
}

async function waitForReady(base, server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`cairn-server exited early with code ${server.exitCode} (see artifacts/server.log)`);
    try {
      const res = await serverFetch(`${base}/readyz`);
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

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The server embeds frontend/dist when it is compiled. When its copy is older than the
 * freshly built web app (the server was not rebuilt since), the browser is pointed at this
 * small front instead: frontend/dist as static files (index.html for client routes) and
 * everything else proxied to the real server, Host header kept.
 */
async function startDistFront(upstreamPort) {
  const port = await freePort();
  // Over TLS the front presents the server's own certificate, so agents that come through it
  // check the same pin.
  const handler = async (req, res) => {
    const url = new URL(req.url, 'http://front');
    if (url.pathname.startsWith('/api/') || url.pathname === '/healthz' || url.pathname === '/readyz' || url.pathname === '/metrics') {
      const upstream = (TLS ? https : http).request(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
          ...(TLS ? { ca: serverTls.cert } : {}),
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
      return;
    }
    let file = path.join(distDir, path.normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, ''));
    if (!file.startsWith(distDir)) file = path.join(distDir, 'index.html');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) file = path.join(distDir, 'index.html');
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
    createReadStream(file).pipe(res);
  };
  const front = TLS ? https.createServer({ cert: serverTls.cert, key: serverTls.key }, handler) : http.createServer(handler);
  front.requestTimeout = 0; // agent long-polls may pass through
  await new Promise((resolve) => front.listen(port, '127.0.0.1', resolve));
  return { front, url: `${TLS ? 'https' : 'http'}://127.0.0.1:${port}` };
}

/** Started agent processes, killed at the end whatever happens, and their temporary dirs. */
const agents = [];
const agentDirs = [];

/** Run an agent command to completion; resolves {code, out}. */
function runAgent(args, env = {}, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(agentBin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cairn-agent ${args[0]} did not finish within ${timeoutMs / 1000}s:\n${out}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Start a long-running agent command; output goes to artifacts/<name>.log and is kept in memory. */
function spawnAgent(name, args, env = {}) {
  const logFile = createWriteStream(path.join(artifacts, `${name}.log`));
  const child = spawn(agentBin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { child, name, out: '', exit: null };
  const onData = (d) => {
    proc.out += d;
    logFile.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  proc.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      proc.exit = { code, signal };
      logFile.end();
      resolve(proc.exit);
    });
    child.on('error', (err) => {
      proc.out += `spawn error: ${err.message}`;
      proc.exit = { code: -1, signal: null };
      resolve(proc.exit);
    });
  });
  agents.push(proc);
  return proc;
}

async function stopAgents() {
  for (const proc of agents) {
    if (proc.exit === null) {
      proc.child.kill('SIGTERM');
      await Promise.race([proc.exited, sleep(3000)]);
      if (proc.exit === null) proc.child.kill('SIGKILL');
    }
  }
}

async function waitFor(what, fn, timeoutMs = 15_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
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
  const base = `${TLS ? 'https' : 'http'}://127.0.0.1:${port}`;
  const serverLog = createWriteStream(path.join(artifacts, 'server.log'));
  log(`cairn e2e: server ${serverBin}\n           data ${dataDir}\n           url  ${base}`);

  const server = spawn(serverBin, ['serve'], {
    env: {
      ...process.env,
      CAIRN_DATA_DIR: dataDir,
      CAIRN_DATABASE_URL: `sqlite://${dataDir}/cairn.db`,
      CAIRN_LISTEN: `127.0.0.1:${port}`,
      ...(TLS ? { CAIRN_TLS_MODE: 'self_signed' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.pipe(serverLog);
  server.stderr.pipe(serverLog);

  let browser;
  let distFront = null;
  const stopServer = async () => {
    await stopAgents();
    if (distFront) distFront.front.close();
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await Promise.race([new Promise((r) => server.once('exit', r)), sleep(5000)]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  };
  const onSignal = () => {
    void stopServer()
      .then(() => apiRecorder.settle(2000))
      .then(() => apiRecorder.write(apiResponsesFile))
      .catch(() => undefined)
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await check('server starts and /readyz answers 200', async () => {
      if (TLS) await loadServerTls(dataDir);
      await waitForReady(base, server);
    });
    await check('the server serves the built web app at /', async () => {
      const res = await serverFetch(`${base}/`);
      const text = await res.text();
      assert(
        res.status === 200 && text.includes('id="root"'),
        `GET / answered ${res.status}: ${text.slice(0, 160).trim()}\n` +
          'build the web app (cd frontend && npm run build), then rebuild cairn-server so it embeds frontend/dist',
      );
    });
    const setupToken = await waitForFile(path.join(dataDir, 'setup-token'));

    // Test the web app that was just built: the embedded one when the server carries it,
    // otherwise frontend/dist through a local front (see startDistFront).
    let webBase = base;
    const builtIndex = existsSync(path.join(distDir, 'index.html')) ? await readFile(path.join(distDir, 'index.html'), 'utf8') : null;
    const servedIndex = await (await serverFetch(`${base}/`)).text();
    if (builtIndex && builtIndex !== servedIndex && process.env.CAIRN_E2E_WEB !== 'embedded') {
      distFront = await startDistFront(port);
      webBase = distFront.url;
      log(`           web  ${webBase} (frontend/dist: the server's embedded copy is older; rebuild cairn-server to test it)`);
    }

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
    // The self-signed certificate is what the test is about; the browser is told to accept it
    // (as a person would after comparing fingerprints), the agents pin it.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', ignoreHTTPSErrors: TLS });
    // Every page of the context (popups too): its /api/ answers are recorded (source "browser").
    apiRecorder.watch(context);
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    currentPage = page;
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`[${currentStep}] ${msg.text()}`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`[${currentStep}] pageerror: ${err.message} ${err.cause ?? ''}`));

    await runFlow({ page, base: webBase, setupToken, context });

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
    // The bodies still being read come in before the browser goes (a body cut off stays "unread").
    await apiRecorder.settle(10_000);
    if (browser) await browser.close().catch(() => undefined);
    await stopServer();
    serverLog.end();
    for (const dir of agentDirs) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    await apiRecorder.settle(1000);
    const recorded = await apiRecorder.write(apiResponsesFile).catch((error) => {
      log(`could not write ${apiResponsesFile}: ${error instanceof Error ? error.message : error}`);
      return null;
    });
    if (recorded !== null) log(`recorded ${recorded} API responses to artifacts/api-responses.ndjson`);
  }

  if (failures.length) log(`\nFailures (server log: e2e/artifacts/server.log):\n- ${failures.join('\n- ')}`);
  log(`\n${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

async function shot(page, name) {
  await page.mouse.move(1, 1); // no hover tooltips in the picture
  // A full-page picture of a scrolled window draws the fixed header where the window was.
  await page.evaluate(() => window.scrollTo(0, 0));
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
    serverFetch(`${base}/api/v1/auth/login`, {
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
    const res = await serverFetch(`${base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${secret}` } });
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

  await fleetFlow({ page, base });

  void context;
}

const nav = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

/** Marks the current document; `assertNoReload` fails if the page was reloaded since. */
async function markDocument(page) {
  await page.evaluate(() => {
    window.__cairnE2eMark = true;
  });
}
async function assertNoReload(page, what) {
  const marked = await page.evaluate(() => window.__cairnE2eMark === true);
  assert(marked, `the page reloaded during ${what}`);
}

async function hostsViaApi(page) {
  return page.evaluate(async () => {
    const r = await fetch('/api/v1/hosts?limit=500');
    return (await r.json()).items;
  });
}

async function fleetFlow({ page, base }) {
  log('\nrepositories and fleet');
  const TOKEN_HOST = 'e2e-token-host';
  const ANNOUNCE_HOST = 'e2e-announce-host';
  const REPO_NAME = 'e2e-local';
  const repoRoot = await mkdtemp(path.join(os.tmpdir(), 'cairn-e2e-repo-'));
  agentDirs.push(repoRoot);
  const repoUrl = path.join(repoRoot, 'repo');

  await check('admin opens Hosts from the navigation and sees the empty state', async () => {
    assert(existsSync(agentBin), `agent binary not found at ${agentBin}; build it (cargo build -p cairn-agent) or set CAIRN_AGENT_BIN`);
    await page.goto(`${base}/`);
    await page.getByTestId('signed-in-as').waitFor();
    const links = await mainNavLinks(page);
    assert(links.includes('Hosts') && links.includes('Repositories'), `nav links: ${links.join(', ')}`);
    await nav(page, 'Hosts');
    await waitForPath(page, '/hosts');
    const empty = page.getByTestId('hosts-empty');
    await empty.waitFor();
    const text = await empty.textContent();
    assert(text?.includes('No hosts yet') && text.includes('Add your first host: it takes one command on the host.'), `empty state: ${text}`);
    await shot(page, 'hosts-empty');
  });

  await check('(a) admin creates a repository and it is listed with "password set"', async () => {
    await nav(page, 'Repositories');
    await waitForPath(page, '/repositories');
    await page.getByTestId('repositories-empty').waitFor();
    await page.getByRole('button', { name: 'Add repository' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add repository' });
    await dialog.waitFor();
    // Nothing is sent until the form is valid.
    await dialog.getByRole('button', { name: 'Add repository' }).click();
    await dialog.getByText('Name is required').waitFor();
    await dialog.getByLabel('Name').fill(REPO_NAME);
    await dialog.getByLabel('URL').fill(repoUrl);
    await dialog.getByLabel('Repository password').fill('e2e-repo-password-123');
    await dialog.getByRole('button', { name: 'Add variable' }).click();
    await dialog.getByLabel('Variable 1 name').fill('RESTIC_COMPRESSION');
    await dialog.getByLabel('Variable 1 value').fill('auto');
    await shot(page, 'repository-create');
    await dialog.getByRole('button', { name: 'Add repository' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByTestId(`repository-row-${REPO_NAME}`);
    await row.waitFor();
    const text = await row.textContent();
    assert(text?.includes('password set'), `row: ${text}`);
    assert(text.includes(repoUrl) && text.includes('RESTIC_COMPRESSION'), `row: ${text}`);
    assert(!text.includes('e2e-repo-password-123') && !text.includes('auto'), 'a secret is shown in the list');
    await shot(page, 'repositories');
  });

  let tokenHostId = '';
  let server = '';
  let enrollArgs = [];
  let announceArgs = [];
  await check('(b) Add host shows an install command and waits for the agent', async () => {
    await nav(page, 'Hosts');
    await waitForPath(page, '/hosts');
    await markDocument(page);
    await page.getByRole('button', { name: 'Add host' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add host' });
    await dialog.waitFor();
    await dialog.getByRole('combobox', { name: 'Tags' }).fill('e2e');
    await dialog.getByRole('combobox', { name: 'Tags' }).press('Enter');
    await dialog.getByRole('button', { name: 'Create install command' }).click();
    const command = (await dialog.getByTestId('install-command').textContent())?.trim() ?? '';
    enrollArgs = agentArgs(command);
    server = argAfter(enrollArgs, '--server');
    const token = argAfter(enrollArgs, '--token');
    const pin = argAfter(enrollArgs, '--pin');
    assert(enrollArgs[0] === 'enroll' && server.startsWith(TLS ? 'https://' : 'http://') && token.length > 10, `install command: ${command}`);
    await dialog.getByTestId('add-host-waiting').waitFor();
    const announce = (await dialog.getByTestId('announce-command').textContent())?.trim() ?? '';
    announceArgs = agentArgs(announce);
    const certificate = dialog.getByTestId('server-certificate');
    if (TLS) {
      assert(/^SHA256:[A-Za-z0-9+/]{43}$/.test(pin), `install command without a proper --pin: ${command}`);
      assert(announce === `cairn-agent enroll --server ${server} --announce --pin ${pin}`, `announce command: ${announce}`);
      // The block shows the pin of the commands, and its hex form is the certificate the
      // server really presents (what a browser's certificate viewer would show).
      const shownPin = (await certificate.getByTestId('server-fingerprint').textContent())?.trim();
      const shownHex = (await certificate.getByTestId('server-fingerprint-hex').textContent())?.trim();
      assert(shownPin === pin, `the certificate block shows ${shownPin}, the command pins ${pin}`);
      const presented = await presentedFingerprint(server);
      assert(shownHex === presented, `the page shows ${shownHex}, the server presents ${presented}`);
      assert(Buffer.from(presented.replaceAll(':', ''), 'hex').toString('base64').replace(/=+$/, '') === pin.slice('SHA256:'.length), 'the pin is not the presented certificate');
      assert((await certificate.textContent())?.includes('The agent will only trust this certificate (--pin).'), 'no explanation of the pin');
    } else {
      assert(!pin && !command.includes('--pin'), `a pin on plain HTTP: ${command}`);
      assert(announce === `cairn-agent enroll --server ${server} --announce`, `announce command: ${announce}`);
      assert((await certificate.count()) === 0, 'a certificate block on plain HTTP');
    }
    assert((await dialog.getByTestId('add-host-waiting').textContent())?.includes('Waiting for the agent'), 'no waiting state');
    await shot(page, 'add-host-command');
    // The same dialog on a phone (full screen) and in dark mode.
    await page.setViewportSize({ width: 390, height: 844 });
    await dialog.getByTestId('install-command').waitFor();
    await shot(page, 'add-host-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'add-host-dark');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));

    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-e2e-agent-'));
    agentDirs.push(stateDir);
    const env = { CAIRN_AGENT_HOSTNAME: TOKEN_HOST };
    await shot(page, 'add-host-waiting');
    // Exactly the command the page shows (with its --pin over TLS), plus a state dir.
    const enroll = await runAgent([...enrollArgs, '--state-dir', stateDir], env);
    assert(enroll.code === 0, `cairn-agent enroll exited ${enroll.code}:\n${enroll.out.trim()}`);
    spawnAgent('agent-token-run', ['run', '--state-dir', stateDir], env);

    const done = dialog.getByTestId('add-host-done');
    await done.waitFor({ timeout: 20_000 });
    const doneText = await done.textContent();
    assert(doneText?.includes(`${TOKEN_HOST} enrolled`), `success state: ${doneText}`);
    assert(/SHA256:/.test(doneText), `no fingerprint in the success state: ${doneText}`);
    const href = await done.getByRole('link', { name: 'Open host' }).getAttribute('href');
    tokenHostId = href?.split('/').pop() ?? '';
    assert(tokenHostId.length > 10, `Open host links to ${href}`);
    // The running agent's first poll turns the dot green here too.
    await done.locator('[data-testid="status-dot"][data-status="online"]').waitFor({ timeout: 20_000 });
    await shot(page, 'add-host-done');
    await assertNoReload(page, 'enrollment');
  });

  await check('(b) the new host shows online in the Hosts list without a reload', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Add host' }).waitFor({ state: 'hidden' });
    const row = page.locator(`[data-host-id="${tokenHostId}"][data-status="online"]`);
    await row.waitFor({ timeout: 20_000 });
    const text = await row.textContent();
    assert(text?.includes(TOKEN_HOST) && text.includes('e2e'), `row: ${text}`);
    await assertNoReload(page, 'the hosts list refresh');
  });

  let announced = null;
  let fingerprint = '';
  await check('(c) an announcing agent prints its fingerprint and the pending panel shows the same one', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-e2e-agent-'));
    agentDirs.push(stateDir);
    announced = { stateDir, env: { CAIRN_AGENT_HOSTNAME: ANNOUNCE_HOST } };
    // The announce command as the Add host dialog showed it (with its --pin over TLS).
    announced.proc = spawnAgent('agent-announce', [...announceArgs, '--state-dir', stateDir], announced.env);
    fingerprint = await waitFor(
      'the agent to print a SHA256: fingerprint',
      () => {
        if (announced.proc.exit) throw new Error(`cairn-agent enroll --announce exited ${JSON.stringify(announced.proc.exit)}:\n${announced.proc.out}`);
        const line = announced.proc.out.split('\n').find((l) => l.includes('SHA256:'));
        return line ? /SHA256:[A-Za-z0-9+/=_-]+/.exec(line)?.[0] : null;
      },
      15_000,
    );
    const card = page.getByTestId(`pending-${ANNOUNCE_HOST}`);
    await card.waitFor({ timeout: 15_000 });
    const shown = (await card.getByTestId('fingerprint').textContent())?.trim();
    assert(shown === fingerprint, `the panel shows ${shown}, the agent printed ${fingerprint}`);
    const text = await card.textContent();
    assert(text?.includes('Compare with the fingerprint the agent printed on the host'), `card: ${text}`);
    assert(!text.includes('already exists'), 'unexpected duplicate-hostname warning');
    await assertNoReload(page, 'the pending panel refresh');
    await shot(page, 'hosts-pending');
  });

  let announceHostId = '';
  await check('(c) accepting the host lets the waiting agent finish with exit code 0', async () => {
    const card = page.getByTestId(`pending-${ANNOUNCE_HOST}`);
    await card.getByRole('button', { name: 'Accept' }).click();
    const dialog = page.getByRole('dialog', { name: `Accept ${ANNOUNCE_HOST}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Accept host' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    const exit = await Promise.race([announced.proc.exited, sleep(20_000).then(() => null)]);
    assert(exit !== null, `the announcing agent is still waiting 20 s after the accept:\n${announced.proc.out}`);
    assert(exit.code === 0, `the announcing agent exited ${JSON.stringify(exit)}:\n${announced.proc.out}`);
    const hosts = await hostsViaApi(page);
    announceHostId = hosts.find((h) => h.fingerprint === fingerprint)?.id ?? '';
    assert(announceHostId, `no host with fingerprint ${fingerprint}: ${JSON.stringify(hosts.map((h) => h.hostname))}`);
  });

  await check('(c) the accepted agent runs and goes online in the list without a reload', async () => {
    spawnAgent('agent-announce-run', ['run', '--state-dir', announced.stateDir], announced.env);
    await page.locator(`[data-host-id="${announceHostId}"][data-status="online"]`).waitFor({ timeout: 20_000 });
    await assertNoReload(page, 'the second enrollment');
    await page.getByTestId('hosts-count').filter({ hasText: '2 hosts' }).waitFor();
    await shot(page, 'hosts');
    await page.getByTestId('color-scheme-toggle').click();
    await page.waitForFunction(() => document.documentElement.getAttribute('data-mantine-color-scheme') === 'dark');
    await shot(page, 'hosts-dark');
    await page.getByTestId('color-scheme-toggle').click();
    await page.waitForFunction(() => document.documentElement.getAttribute('data-mantine-color-scheme') === 'light');
  });

  const receivedCommands = (proc) => (proc.out.match(/command received/g) ?? []).length;
  const runningAgents = () => agents.filter((a) => a.name.endsWith('-run') && a.exit === null);

  await check('"Test all hosts" queues a test for every host; the notification says how many, both agents get it', async () => {
    const before = runningAgents().map((a) => [a, receivedCommands(a)]);
    assert(before.length === 2, `expected 2 running agents, have ${before.length}`);
    await page.getByRole('button', { name: 'Test all hosts' }).click();
    const note = page.locator('.mantine-Notification-root').filter({ hasText: 'Connection test sent' });
    await note.waitFor();
    const text = (await note.textContent()) ?? '';
    assert(text.includes('Sent a test to 2 hosts.'), `notification: ${text}`);
    await shot(page, 'hosts-ping-all');
    for (const [proc, n] of before) {
      await waitFor(`${proc.name} to receive the test command`, () => receivedCommands(proc) > n, 15_000);
    }
    await note.getByRole('button').click(); // close it
    await note.waitFor({ state: 'hidden' });
  });

  await check('with a tag filter the test goes only to hosts with that tag', async () => {
    await page.getByRole('combobox', { name: 'Filter by tag' }).click();
    await page.getByRole('option', { name: 'e2e' }).click();
    await page.getByTestId('hosts-count').filter({ hasText: '1 host' }).waitFor();
    await page.getByRole('button', { name: 'Test hosts tagged e2e' }).click();
    const note = page.locator('.mantine-Notification-root').filter({ hasText: 'Connection test sent' });
    await note.waitFor();
    const text = (await note.textContent()) ?? '';
    assert(text.includes('Sent a test to 1 host tagged “e2e”.'), `notification: ${text}`);
    await note.getByRole('button').click();
    await note.waitFor({ state: 'hidden' });
    await page.getByRole('combobox', { name: 'Filter by tag' }).click();
    await page.getByRole('option', { name: 'e2e' }).click(); // deselect
    await page.getByTestId('hosts-count').filter({ hasText: '2 hosts' }).waitFor();
  });

  await check('the status filter narrows the list', async () => {
    await page.getByRole('combobox', { name: 'Filter by status' }).click();
    await page.getByRole('option', { name: 'Offline' }).click();
    await page.getByText('No hosts match these filters').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByTestId('hosts-count').filter({ hasText: '2 hosts' }).waitFor();
  });

  let linkedHostId = '';
  await check('(d) host detail: link the repository, the agent applies the config, test connection', async () => {
    await page.getByTestId('hosts-table').getByRole('link').first().click();
    await page.waitForURL((url) => url.pathname.startsWith('/hosts/'));
    const facts = page.getByTestId('host-facts');
    await facts.waitFor();
    const text = await facts.textContent();
    assert(/SHA256:/.test(text ?? ''), `facts: ${text}`);
    await page.getByTestId('host-status').filter({ hasText: 'Online' }).waitFor();
    const repoSelect = page.getByRole('textbox', { name: 'Linked repositories' }).or(page.getByRole('combobox', { name: 'Linked repositories' }));
    await repoSelect.first().click();
    await page.getByRole('option', { name: REPO_NAME }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save repositories' }).click();
    await page.getByText('Repository links saved').waitFor();
    // The server bumps the wanted config version; the running agent picks it up and reports it.
    await page.locator('[data-testid="config-sync"][data-in-sync="true"]').waitFor({ timeout: 40_000 });
    const id = new URL(page.url()).pathname.split('/').pop();
    linkedHostId = id ?? '';
    const host = await page.evaluate(async (hid) => (await fetch(`/api/v1/hosts/${hid}`)).json(), id);
    assert(Array.isArray(host.repository_ids) && host.repository_ids.length === 1, `repository_ids: ${JSON.stringify(host.repository_ids)}`);
    assert(host.config_version >= 1 && host.applied_config_version === host.config_version, `config ${host.applied_config_version}/${host.config_version}`);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const sent = page.getByTestId('ping-sent');
    await sent.waitFor();
    assert((await sent.textContent())?.includes('Sent; the agent picks it up on its next poll'), 'ping confirmation text');
    await shot(page, 'host-detail');
  });

  await check('home shows real fleet tiles that link to the filtered list', async () => {
    await nav(page, 'Home');
    await waitForPath(page, '/');
    const value = async (id) => (await page.getByTestId(`tile-${id}-value`).textContent())?.trim();
    await page.getByTestId('tile-total-value').filter({ hasText: '2' }).waitFor();
    await page.getByTestId('tile-online-value').filter({ hasText: '2' }).waitFor();
    assert((await value('offline')) === '0', `offline tile ${await value('offline')}`);
    assert((await value('pending')) === '0', `pending tile ${await value('pending')}`);
    await shot(page, 'home-fleet');
    await page.getByTestId('tile-online').click();
    await page.waitForURL((url) => url.pathname === '/hosts' && url.searchParams.get('status') === 'online');
    await page.getByTestId('hosts-count').filter({ hasText: '2 hosts' }).waitFor();
  });

  await check('hosts page works at phone width (390x844)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/hosts`);
    await page.locator(`[data-host-id="${tokenHostId}"]`).waitFor();
    const agentHeader = page.getByRole('columnheader', { name: 'Agent' });
    assert(!(await agentHeader.isVisible()), 'secondary columns should be hidden on a phone');
    await shot(page, 'hosts-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check('the agents are still running', async () => {
    for (const proc of agents.filter((a) => a.name.endsWith('-run'))) {
      assert(proc.exit === null, `${proc.name} exited ${JSON.stringify(proc.exit)}:\n${proc.out}`);
    }
  });

  // Jobs: Run backup now on the linked host, the live log and progress, the snapshot.
  await jobsFlow({ page, check, baseUrl: base, hostId: linkedHostId, screenshot: shot });

  await check('a repository in use cannot be deleted: the server’s message is shown', async () => {
    await nav(page, 'Repositories');
    await waitForPath(page, '/repositories');
    await page.getByRole('button', { name: `Actions for ${REPO_NAME}` }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${REPO_NAME}?` });
    const confirm = dialog.getByRole('button', { name: 'Delete repository' });
    assert(await confirm.isDisabled(), 'delete must stay disabled until the repository name is typed');
    await dialog.getByLabel(`Type ${REPO_NAME} to confirm`).fill(REPO_NAME);
    await confirm.click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert(text.includes('repository.in_use') && text.length > 'repository.in_use'.length + 20, `alert: ${text}`);
    await shot(page, 'repository-delete-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId(`repository-row-${REPO_NAME}`).waitFor();
  });

  await check('deleting a host needs its name typed, then it leaves the list', async () => {
    await page.goto(`${base}/hosts/${announceHostId}`);
    await page.getByTestId('host-facts').waitFor();
    await page.getByRole('button', { name: 'Delete host' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${ANNOUNCE_HOST}?` });
    const confirm = dialog.getByRole('button', { name: 'Delete host' });
    assert(await confirm.isDisabled(), 'delete must stay disabled until the hostname is typed');
    assert((await dialog.textContent())?.includes('key stops working immediately'), 'consequence not explained');
    await dialog.getByLabel(`Type ${ANNOUNCE_HOST} to confirm`).fill(ANNOUNCE_HOST);
    await confirm.click();
    await waitForPath(page, '/hosts');
    await page.locator(`[data-host-id="${tokenHostId}"]`).waitFor();
    assert((await page.locator(`[data-host-id="${announceHostId}"]`).count()) === 0, 'the deleted host is still listed');
    const left = await hostsViaApi(page);
    assert(!left.some((h) => h.id === announceHostId) && left.length === 1, `hosts after delete: ${JSON.stringify(left.map((h) => h.hostname))}`);
  });
}

main().catch((error) => {
  log(`e2e crashed: ${error instanceof Error ? error.stack : error}`);
  log(`\n${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
});

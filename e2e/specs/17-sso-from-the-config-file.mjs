// A second server set up from a configuration file, as configuration management would: its
// single sign-on provider is in the file and password sign-in is off. Its sign-in page offers
// only "Sign in with Corp SSO" (light and dark); the provider signs alice in as an admin; the
// Single sign-on page shows the provider as coming from the file, read-only; the break-glass
// admin named in the file still gets a discreet way to a password. The main server and its
// signed-in admin are not touched (a browser context of its own).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  api,
  artifacts,
  assert,
  check,
  freePort,
  openPage,
  readSetupToken,
  scratchDir,
  serverBin,
  serverFetch,
  shot,
  signInThroughProvider,
  sleep,
  startProvider,
  stopServer,
  waitForReady,
} from '../harness/index.mjs';

export const title = 'single sign-on from the configuration file: password sign-in off, only the provider button, a read-only provider, break-glass';

const BREAK_GLASS = { username: 'root-admin', password: 'break-glass-password-1' };

export async function run({ browser }) {
  const port = await freePort();
  const base2 = `http://127.0.0.1:${port}`;
  const dir = await scratchDir('cairn-e2e-idp2-');
  const usersFile = path.join(dir, 'users.json');
  await writeFile(usersFile, JSON.stringify([{ username: 'alice', password: 'alice-pw-1', email: 'alice@example.test', email_verified: true, name: 'Alice Example', groups: ['cairn-admins'] }]));
  const { child: idp, issuer } = await startProvider(
    [{ client_id: 'cairn-file', client_secret: 'file-client-secret-1', redirect_uris: [`${base2}/api/v1/auth/oidc/callback`], post_logout_redirect_uris: [`${base2}/login`] }],
    usersFile,
  );
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-e2e-file-'));
  const configFile = path.join(dataDir, 'cairn.toml');
  await writeFile(
    configFile,
    `[auth]
local_login = false
break_glass_users = ["${BREAK_GLASS.username}"]

[[auth.sso_providers]]
slug = "corp"
label = "Corp SSO"
issuer = "${issuer}"
client_id = "cairn-file"
client_secret = "file-client-secret-1"
role_map = [
  { group = "cairn-admins", role = "admin" },
  { group = "web-ops", role = "operator", tags = ["web"] },
]
`,
  );
  const serverLog = createWriteStream(path.join(artifacts, 'server-from-file.log'));
  const server = spawn(serverBin, ['serve'], {
    env: {
      ...process.env,
      CAIRN_CONFIG: configFile,
      CAIRN_DATA_DIR: dataDir,
      CAIRN_DATABASE_URL: `sqlite://${dataDir}/cairn.db`,
      CAIRN_LISTEN: `127.0.0.1:${port}`,
      CAIRN_PUBLIC_URL: base2,
      CAIRN_TLS_MODE: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.pipe(serverLog);
  server.stderr.pipe(serverLog);
  let context = null;
  try {
    await check('sso from the file: the second server starts with its provider; first-run setup makes the break-glass admin', async () => {
      await waitForReady(base2, server);
      const token = await readSetupToken(dataDir);
      const res = await serverFetch(`${base2}/api/v1/setup`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token, username: BREAK_GLASS.username, password: BREAK_GLASS.password }),
      });
      assert(res.status === 201, `setup answered ${res.status}`);
      const info = await (await serverFetch(`${base2}/api/v1/info`)).json();
      assert(info.local_login_enabled === false && info.break_glass_login === true, `info: ${JSON.stringify(info)}`);
      assert(info.sso_providers.length === 1 && info.sso_providers[0].label === 'Corp SSO', `providers: ${JSON.stringify(info.sso_providers)}`);
    });

    let page;
    await check('sso from the file: the sign-in page offers only the provider button, no password form (light and dark)', async () => {
      ({ context, page } = await openPage(browser));
      await page.goto(`${base2}/login`);
      await page.getByTestId('sso-button-corp').waitFor();
      await page.getByTestId('local-login-off').waitFor();
      assert((await page.getByLabel('Password', { exact: true }).count()) === 0, 'a password field is shown while password sign-in is off');
      await shot(page, 'sign-in-provider-only', { fullPage: false });
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
      await shot(page, 'sign-in-provider-only-dark', { fullPage: false });
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    });

    await check('sso from the file: alice signs in through the provider as an admin; the provider is shown as from the configuration file, read-only', async () => {
      await signInThroughProvider(page, 'corp', 'alice', 'alice-pw-1');
      await page.getByTestId('signed-in-as').waitFor({ timeout: 20_000 });
      const me = (await api(page, 'GET', '/api/v1/auth/me')).body;
      assert(me.user.username === 'alice' && me.role === 'admin', `me: ${JSON.stringify(me)}`);
      await page.goto(`${base2}/users/sso`);
      const row = page.locator('[data-testid="sso-provider-row"][data-slug="corp"]');
      await row.waitFor();
      await row.getByTestId('sso-from-config').waitFor();
      assert((await row.getByTestId('sso-delete').count()) === 0, 'a provider from the file offers Delete');
      await page.getByTestId('local-login-forced').waitFor();
      assert(await page.getByTestId('local-login-switch').isDisabled(), 'the switch must be locked while the file turns password sign-in off');
      await shot(page, 'sso-provider-from-file');
      const list = (await api(page, 'GET', '/api/v1/sso-providers')).body;
      assert(list[0].from_config === true && list[0].role_map[1].tags[0] === 'web', `providers: ${JSON.stringify(list)}`);
    });

    await check('sso from the file: the break-glass admin still signs in with a password through the discreet link', async () => {
      await page.context().clearCookies();
      await page.goto(`${base2}/login`);
      await page.getByTestId('break-glass').click();
      await page.getByLabel('Username').fill(BREAK_GLASS.username);
      await page.getByLabel('Password', { exact: true }).fill(BREAK_GLASS.password);
      await page.getByLabel('Password', { exact: true }).press('Enter');
      await page.getByTestId('signed-in-as').waitFor({ timeout: 20_000 });
      const me = (await api(page, 'GET', '/api/v1/auth/me')).body;
      assert(me.user.username === BREAK_GLASS.username, `me: ${JSON.stringify(me)}`);
    });
  } finally {
    if (context) await context.close().catch(() => undefined);
    await stopServer(server);
    serverLog.end();
    idp.kill();
    await sleep(100);
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

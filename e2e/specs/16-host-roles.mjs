// Host roles: the admin makes Wes an operator of the hosts tagged `e2e-web` only (no role over
// all hosts) on the Users page; Wes sees Hosts, Jobs, Alerts and Repositories but no Users or
// Audit log, and no host until the admin tags one; then exactly that host, with "Run backup
// now", and his access on the profile page. Then the admin turns password sign-in off on the
// Single sign-on page (the sign-in page offers only the provider), and the server's shell
// turns it back on (`cairn-server admin local-login on`). Expects the admin signed in; leaves
// the admin signed in.
import { spawnSync } from 'node:child_process';
import { ADMIN, TOKEN_HOST, api, assert, check, hostsViaApi, mainNavLinks, serverBin, shot, signIn, signOut, waitForPath } from '../harness/index.mjs';

export const title = 'host roles: an operator of one host tag sees and acts on those hosts only';

const WES = { username: 'wes', display: 'Wes Web', password: 'wes-web-password-1' };
const TAG = 'e2e-web';

export async function run({ page, base, state, dataDir }) {
  const { tokenHostId } = state;

  await check('host roles: the admin creates Wes with no role over all hosts and operator on e2e-web', async () => {
    if ((await api(page, 'GET', '/api/v1/auth/me')).status === 401) await signIn(page, base, ADMIN);
    await page.goto(`${base}/users`);
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.waitFor();
    await dialog.getByLabel('Username').fill(WES.username);
    await dialog.getByLabel('Display name').fill(WES.display);
    await dialog.getByText('Host roles only', { exact: true }).click();
    await dialog.getByTestId('user-add-binding').click();
    await dialog.getByTestId('user-binding-role-0').selectOption('operator');
    const tags = dialog.getByTestId('user-binding-tags-0');
    await tags.fill(TAG);
    await tags.press('Enter');
    await dialog.getByLabel('Initial password').fill(WES.password);
    await dialog.getByLabel('Confirm password').fill(WES.password);
    await shot(page, 'user-create-host-role', { fullPage: false });
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByTestId(`user-row-${WES.username}`);
    await row.waitFor();
    const badges = (await row.getByTestId('user-bindings').textContent()) ?? '';
    assert(badges.includes(TAG) && /operator/i.test(badges), `host roles shown: ${badges}`);
    const users = (await api(page, 'GET', '/api/v1/users?q=wes')).body.items;
    assert(users[0].role === 'none' && users[0].bindings[0].role === 'operator' && users[0].bindings[0].tags[0] === TAG, `wes: ${JSON.stringify(users[0])}`);
    await shot(page, 'users-host-roles');
  });

  await check('host roles: Wes sees the host pages but not Users or Audit log, and no host while none carries the tag', async () => {
    await signOut(page);
    await signIn(page, base, WES);
    const links = await mainNavLinks(page);
    for (const l of ['Hosts', 'Jobs', 'Alerts', 'Repositories']) assert(links.includes(l), `nav links: ${links.join(', ')}`);
    assert(!links.includes('Users') && !links.includes('Audit log'), `nav links: ${links.join(', ')}`);
    await page.goto(`${base}/hosts`);
    await waitForPath(page, '/hosts');
    assert((await hostsViaApi(page)).length === 0, 'a host out of scope is listed');
    await page.getByRole('heading', { name: 'Hosts' }).first().waitFor();
    await shot(page, 'host-roles-no-hosts');
    const users = await api(page, 'GET', '/api/v1/users');
    assert(users.status === 403 && users.body?.code === 'auth.forbidden', `users: ${users.status}`);
  });

  await check('host roles: once the admin tags the host, Wes sees exactly it and can run its backup', async () => {
    await signOut(page);
    await signIn(page, base, ADMIN);
    const host = (await api(page, 'GET', `/api/v1/hosts/${tokenHostId}`)).body;
    const r = await api(page, 'PATCH', `/api/v1/hosts/${tokenHostId}`, { tags: [...host.tags, TAG] });
    assert(r.status === 200, `tagging: ${r.status}`);
    await signOut(page);
    await signIn(page, base, WES);
    const hosts = await hostsViaApi(page);
    assert(hosts.length === 1 && hosts[0].id === tokenHostId, `hosts: ${JSON.stringify(hosts.map((h) => h.hostname))}`);
    await page.goto(`${base}/hosts`);
    await page.locator(`[data-host-id="${tokenHostId}"]`).waitFor();
    await shot(page, 'host-roles-hosts');
    await page.goto(`${base}/hosts/${tokenHostId}`);
    await page.getByTestId('host-facts').waitFor();
    await page.getByRole('button', { name: 'Run backup now' }).waitFor();
    assert((await page.getByRole('button', { name: 'Delete host' }).count()) === 0, 'Delete host is offered to a host operator');
    await shot(page, 'host-roles-host-page');
    assert((await page.getByText(TOKEN_HOST).count()) > 0, 'the host page names the host');
  });

  await check('host roles: the profile page says what Wes may do and where', async () => {
    await page.goto(`${base}/profile`);
    const access = page.getByTestId('profile-bindings');
    await access.waitFor();
    const text = (await access.textContent()) ?? '';
    assert(text.includes(TAG), `profile access: ${text}`);
    await shot(page, 'profile-host-roles');
    await signOut(page);
    await signIn(page, base, ADMIN);
  });

  await check('password sign-in: the admin turns it off on the Single sign-on page, after a confirmation naming the consequences', async () => {
    await page.goto(`${base}/users/sso`);
    const card = page.getByTestId('sign-in-settings');
    await card.waitFor();
    await page.getByTestId('local-login-switch').click();
    const confirm = page.getByTestId('local-login-confirm');
    await confirm.waitFor();
    await shot(page, 'local-login-confirm', { fullPage: false });
    await confirm.getByRole('button', { name: 'Turn password sign-in off' }).click();
    await confirm.waitFor({ state: 'hidden' });
    const settings = (await api(page, 'GET', '/api/v1/sign-in-settings')).body;
    assert(settings.local_login === false, `settings: ${JSON.stringify(settings)}`);
    await shot(page, 'sso-page-password-off');
  });

  await check('password sign-in: signed out, the sign-in page offers only the provider; the password is refused', async () => {
    await signOut(page).catch(() => undefined);
    await page.goto(`${base}/login`);
    await page.getByTestId('local-login-off').waitFor();
    await page.getByTestId('sso-button-test-idp').waitFor();
    assert((await page.getByLabel('Password', { exact: true }).count()) === 0, 'a password field is still offered');
    const r = await api(page, 'POST', '/api/v1/auth/login', { username: ADMIN.username, password: ADMIN.password });
    assert(r.status === 403 && r.body?.code === 'auth.local_login_disabled', `login: ${r.status} ${JSON.stringify(r.body)}`);
  });

  await check('password sign-in: `cairn-server admin local-login on` from the server\'s shell lets the admin back in', async () => {
    const run = spawnSync(serverBin, ['admin', 'local-login', 'on'], {
      env: { ...process.env, CAIRN_DATA_DIR: dataDir, CAIRN_DATABASE_URL: `sqlite://${dataDir}/cairn.db` },
      encoding: 'utf8',
    });
    assert(run.status === 0 && run.stdout.includes('Password sign-in is now on'), `exit ${run.status}: ${run.stdout} ${run.stderr}`);
    await signIn(page, base, ADMIN);
    const settings = (await api(page, 'GET', '/api/v1/sign-in-settings')).body;
    assert(settings.local_login === true, `settings: ${JSON.stringify(settings)}`);
  });
}

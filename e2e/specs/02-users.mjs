// Admin manages users: signs in, creates an operator (the form refuses a short password
// first) and a viewer, a taken username is refused, edit, disable (cannot sign in), reset the
// password and enable (can), delete with the username typed; the users and audit pages at
// phone width. Leaves the admin signed in and the viewer VIEWER for later specs.
import { ADMIN, OPERATOR, VIEWER, assert, check, mainNavLinks, serverFetch, shot, signIn, waitForPath } from '../harness/index.mjs';

/** Opens the New user form and fills it in; returns the dialog (not sent yet). */
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

export const title = 'admin manages users';

export async function run({ page, base }) {
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
}

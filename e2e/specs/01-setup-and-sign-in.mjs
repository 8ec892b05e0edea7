// First run: / sends you to /setup, the setup token creates the admin (signed in at once),
// sign out, and a wrong password shows the server's message. Ends signed out, on /login.
import { ADMIN, assert, check, pathOf, shot, signOut, waitForPath } from '../harness/index.mjs';

export const title = 'first run';

export async function run({ page, base, setupToken }) {
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
}

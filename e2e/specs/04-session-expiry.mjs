// Session expiry: an expired access cookie is refreshed without leaving the page; with no
// session at all you sign in and land back where you were.
import { ADMIN, VIEWER, assert, check, pathOf, waitForPath } from '../harness/index.mjs';

export const title = 'session expiry';

export async function run({ page, context }) {
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
}

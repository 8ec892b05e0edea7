// The viewer is refused: no Users or Audit log in the navigation, the no-access state on
// /users, and the API's 403 auth.forbidden for reading and (with the CSRF header) creating users.
// Ends signed in as the viewer.
import { VIEWER, assert, check, mainNavLinks, shot, signIn, signOut } from '../harness/index.mjs';

export const title = 'viewer is refused';

export async function run({ page, base }) {
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
}

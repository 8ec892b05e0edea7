// Profile and API tokens: the profile page with an empty token list, a new token's secret shown
// once and never in the list, and the token authenticating API calls as its owner.
import { ADMIN, assert, check, serverFetch, shot, waitForPath } from '../harness/index.mjs';

export const title = 'profile and API tokens';

export async function run({ page, base }) {
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
}

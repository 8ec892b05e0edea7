// Single sign-on with a real OpenID provider (npm oidc-provider, started here): the admin adds
// it on the Single sign-on page (the redirect URI to register is shown), the sign-in page
// offers "Sign in with Test IdP", the provider's own login page signs alice in and she lands
// in Cairn as an admin (her group); at the provider she moves to the operators' group and
// the next sign-in makes her an operator; in no mapped group she is refused with the reason
// on the sign-in page. Light, dark and phone width. Expects the admin signed in; leaves the
// admin signed in.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ADMIN, api, assert, check, scratchDir, shot, sidewaysOverflow, signIn, signInThroughProvider as signInThroughIdp, signOut, sleep, startProvider, waitFor, waitForPath } from '../harness/index.mjs';

export const title = 'single sign-on: a provider added, a sign-in through it with the mapped role, a downgrade, a refusal';

function users(groups) {
  return [{ username: 'alice', password: 'alice-pw-1', email: 'alice@example.test', email_verified: true, name: 'Alice Example', groups }];
}

/** From the sign-in page: the provider's button, its login form, back in Cairn. */
function signInThroughProvider(page, username, password) {
  return signInThroughIdp(page, 'test-idp', username, password);
}

/**
 * Signs out of Cairn, then at the provider too through the sign-in page's offer (RP-initiated
 * logout), so the next sign-in meets the provider's login form again.
 */
async function signOutEverywhere(page, base, shotName) {
  await signOut(page);
  const out = page.getByTestId('sso-logout');
  await out.waitFor();
  if (shotName) await shot(page, shotName, { fullPage: false });
  await out.click();
  await page.getByTestId('idp-logout-confirm').click();
  await page.waitForURL((u) => u.pathname === '/login', { timeout: 15_000 }).catch(async () => page.goto(`${base}/login`));
  await page.getByTestId('sso-button-test-idp').waitFor();
}

export async function run({ page, base }) {
  const dir = await scratchDir('cairn-e2e-idp-');
  const usersFile = path.join(dir, 'users.json');
  await writeFile(usersFile, JSON.stringify(users(['cairn-admins'])));
  const { child, issuer } = await startProvider(
    [{ client_id: 'cairn-e2e', client_secret: 'e2e-client-secret-1', redirect_uris: [`${base}/api/v1/auth/oidc/callback`], post_logout_redirect_uris: [`${base}/login`] }],
    usersFile,
  );
  try {
    await check('single sign-on: the admin adds a provider; the page shows the redirect URI to register', async () => {
      if ((await api(page, 'GET', '/api/v1/auth/me')).status === 401) await signIn(page, base, ADMIN);
      await page.goto(`${base}/users/sso`);
      await page.getByTestId('sso-providers-page').waitFor();
      await shot(page, 'sso-providers-empty');
      await page.getByTestId('sso-add').click();
      const form = page.getByTestId('sso-form');
      await form.waitFor();
      await page.getByTestId('sso-field-label').fill('Test IdP');
      await page.getByTestId('sso-field-slug').fill('test-idp');
      await page.getByTestId('sso-field-issuer').fill(issuer);
      await page.getByTestId('sso-field-client-id').fill('cairn-e2e');
      await page.getByTestId('sso-field-client-secret').fill('e2e-client-secret-1');
      await page.getByTestId('sso-add-mapping').click();
      await page.getByTestId('sso-mapping-group-0').fill('cairn-admins');
      await page.getByTestId('sso-mapping-role-0').click();
      await page.getByRole('option', { name: /admin/i }).click();
      await page.getByTestId('sso-add-mapping').click();
      await page.getByTestId('sso-mapping-group-1').fill('cairn-ops');
      await page.getByTestId('sso-mapping-role-1').click();
      await page.getByRole('option', { name: /operator/i }).click();
      await shot(page, 'sso-provider-form', { fullPage: false });
      await page.getByTestId('sso-save').click();
      const uri = page.getByTestId('sso-redirect-uri').first();
      await uri.waitFor();
      const shown = (await uri.textContent()) ?? (await uri.inputValue());
      assert(shown.includes(`${base}/api/v1/auth/oidc/callback`), `redirect URI: ${shown}`);
      const list = (await api(page, 'GET', '/api/v1/sso-providers')).body;
      assert(list.length === 1 && list[0].role_map.length === 2 && list[0].client_secret === undefined, `providers: ${JSON.stringify(list)}`);
      await page.keyboard.press('Escape');
      await page.locator('[data-testid="sso-provider-row"][data-slug="test-idp"]').waitFor();
      await shot(page, 'sso-providers');
    });

    await check('single sign-on: “Sign in with Test IdP” goes to the provider’s login page and back; alice is an admin (her group)', async () => {
      await signOut(page);
      const button = page.getByTestId('sso-button-test-idp');
      await button.waitFor();
      await shot(page, 'sign-in-sso');
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
      await shot(page, 'sign-in-sso-dark', { fullPage: false });
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
      await page.setViewportSize({ width: 390, height: 844 });
      const { overflow, culprits } = await sidewaysOverflow(page);
      assert(overflow <= 1, `the sign-in page scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
      await shot(page, 'sign-in-sso-phone', { fullPage: false });
      await page.setViewportSize({ width: 1280, height: 800 });
      await signInThroughProvider(page, 'alice', 'alice-pw-1');
      await page.getByTestId('signed-in-as').waitFor({ timeout: 20_000 });
      const me = (await api(page, 'GET', '/api/v1/auth/me')).body;
      assert(me.user.username === 'alice' && me.role === 'admin' && me.user.sso_provider_id, `me: ${JSON.stringify(me)}`);
    });

    await check('single sign-on: signed out of Cairn and, as the sign-in page offers, of the provider; moved to the operators’ group there, alice signs in next as an operator', async () => {
      await writeFile(usersFile, JSON.stringify(users(['cairn-ops'])));
      await signOutEverywhere(page, base, 'sign-in-signed-out-sso');
      await signInThroughProvider(page, 'alice', 'alice-pw-1');
      await page.getByTestId('signed-in-as').waitFor({ timeout: 20_000 });
      await waitFor('alice as operator', async () => (await api(page, 'GET', '/api/v1/auth/me')).body?.role === 'operator', 10_000);
    });

    await check('single sign-on: in no mapped group, alice is refused with the reason on the sign-in page', async () => {
      await writeFile(usersFile, JSON.stringify(users(['sales'])));
      await signOutEverywhere(page, base);
      await signInThroughProvider(page, 'alice', 'alice-pw-1');
      const error = page.getByTestId('sso-error');
      await error.waitFor({ timeout: 20_000 });
      const text = (await error.textContent()) ?? '';
      assert(/no group/i.test(text), `sso-error: ${text}`);
      await shot(page, 'sign-in-sso-refused');
      assert((await api(page, 'GET', '/api/v1/auth/me')).status === 401, 'no session after a refusal');
    });

    await check('single sign-on: the users page marks alice as a single sign-on user; the admin signs back in with a password', async () => {
      await signIn(page, base, ADMIN);
      await page.goto(`${base}/users`);
      await page.getByTestId('user-sso-badge').first().waitFor();
      await waitForPath(page, '/users');
    });
  } finally {
    child.kill();
    await sleep(100);
  }
}

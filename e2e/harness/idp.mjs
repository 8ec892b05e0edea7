// The real OpenID provider of the single sign-on specs (npm oidc-provider, the one the Rust
// tests use): started per spec with its clients and a users file the spec may rewrite.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const providerScript = path.resolve(here, '../../backend/crates/testkit/oidc-provider/provider.mjs');

/**
 * Starts the provider with `clients` ([{client_id, client_secret, redirect_uris,
 * post_logout_redirect_uris?}]) and the users in `usersFile`; resolves with the child and
 * its issuer once it prints its ready line.
 */
export async function startProvider(clients, usersFile) {
  const child = spawn('node', [providerScript], {
    env: { ...process.env, OIDC_PORT: '0', OIDC_USERS: usersFile, OIDC_CLIENTS: JSON.stringify(clients) },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the provider exited (${code}) before it was ready`)));
  });
  return { child, issuer: JSON.parse(first).issuer };
}

/** From a sign-in page: the provider's button, its login form, back in Cairn. */
export async function signInThroughProvider(page, slug, username, password) {
  await page.getByTestId(`sso-button-${slug}`).click();
  await page.getByTestId('idp-username').waitFor();
  await page.getByTestId('idp-username').fill(username);
  await page.getByTestId('idp-password').fill(password);
  await page.getByTestId('idp-submit').click();
}

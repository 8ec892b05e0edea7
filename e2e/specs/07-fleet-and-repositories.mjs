// The empty fleet and the first repository: Hosts from the navigation shows its empty state,
// then a repository (a local restic path) is created and listed with "password set" and no
// secret. Leaves state.repoUrl; the repository is REPO_NAME.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_NAME, agentBin, assert, check, mainNavLinks, nav, scratchDir, shot, waitForPath } from '../harness/index.mjs';

export const title = 'repositories and fleet';

export async function run({ page, base, state }) {
  const repoRoot = await scratchDir('cairn-e2e-repo-');
  const repoUrl = path.join(repoRoot, 'repo');
  state.repoUrl = repoUrl;

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
}

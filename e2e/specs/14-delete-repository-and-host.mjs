// Deleting: the repository in use is refused with the server's message (repository.in_use),
// and the announced host goes once its name is typed, leaving the token host alone.
import { ANNOUNCE_HOST, REPO_NAME, assert, check, hostsViaApi, nav, shot, waitForPath } from '../harness/index.mjs';

export const title = 'deleting: a repository in use, a host';

export async function run({ page, base, state }) {
  const { tokenHostId, announceHostId } = state;

  await check('a repository in use cannot be deleted: the server’s message is shown', async () => {
    await nav(page, 'Repositories');
    await waitForPath(page, '/repositories');
    await page.getByRole('button', { name: `Actions for ${REPO_NAME}` }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${REPO_NAME}?` });
    const confirm = dialog.getByRole('button', { name: 'Delete repository' });
    assert(await confirm.isDisabled(), 'delete must stay disabled until the repository name is typed');
    await dialog.getByLabel(`Type ${REPO_NAME} to confirm`).fill(REPO_NAME);
    await confirm.click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert(text.includes('repository.in_use') && text.length > 'repository.in_use'.length + 20, `alert: ${text}`);
    await shot(page, 'repository-delete-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId(`repository-row-${REPO_NAME}`).waitFor();
  });

  await check('deleting a host needs its name typed, then it leaves the list', async () => {
    await page.goto(`${base}/hosts/${announceHostId}`);
    await page.getByTestId('host-facts').waitFor();
    await page.getByRole('button', { name: 'Delete host' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${ANNOUNCE_HOST}?` });
    const confirm = dialog.getByRole('button', { name: 'Delete host' });
    assert(await confirm.isDisabled(), 'delete must stay disabled until the hostname is typed');
    assert((await dialog.textContent())?.includes('key stops working immediately'), 'consequence not explained');
    await dialog.getByLabel(`Type ${ANNOUNCE_HOST} to confirm`).fill(ANNOUNCE_HOST);
    await confirm.click();
    await waitForPath(page, '/hosts');
    await page.locator(`[data-host-id="${tokenHostId}"]`).waitFor();
    assert((await page.locator(`[data-host-id="${announceHostId}"]`).count()) === 0, 'the deleted host is still listed');
    const left = await hostsViaApi(page);
    assert(!left.some((h) => h.id === announceHostId) && left.length === 1, `hosts after delete: ${JSON.stringify(left.map((h) => h.hostname))}`);
  });
}

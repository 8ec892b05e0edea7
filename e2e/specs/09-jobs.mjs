// Jobs, on the host 08 linked to the repository (its agent running): the repository row's
// "Initialize…" runs restic init there and the job page follows it to the end; the host page's
// "Test" opens the repository from the host (reachable, restic's id), and a second entry for it
// with the wrong password shows restic.wrong_password (then is unlinked and deleted); the host page's
// empty snapshots and "Run backup now"; the backup form refuses a relative path, then sends;
// the job page's live log and progress bar move until Succeeded; its summary, command and raw
// result; phone width and dark mode; the snapshot in the host's list linked to its job; the
// history filtered by host. Real server, real agent, real restic: nothing here is mocked.
// CAIRN_E2E_BACKUP_MB sizes the data backed up (default 256): big enough that the backup runs
// for a few seconds.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { api, assert, check, pathOf, shot, sidewaysOverflow, waitFor } from '../harness/index.mjs';

const BACKUP_MB = Number(process.env.CAIRN_E2E_BACKUP_MB ?? 256);
const JOB_TIMEOUT = 180_000;
/** A second entry for the same restic repository, with the wrong password (one step only). */
const WRONG_PASSWORD_REPO = 'e2e-wrong-password';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A folder to back up: many small files (the file counter moves) and a few large ones (the bytes do). */
async function makeBackupSource() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-e2e-source-'));
  const small = path.join(root, 'small');
  await mkdir(small);
  for (let i = 0; i < 1500; i += 1) {
    await writeFile(path.join(small, `note-${String(i).padStart(4, '0')}.txt`), `note ${i} ${randomBytes(48).toString('hex')}\n`);
  }
  const big = path.join(root, 'big');
  await mkdir(big);
  // Random data does not deduplicate or compress: restic has to work for every byte.
  const chunks = Math.max(1, Math.round(BACKUP_MB / 16));
  for (let i = 0; i < chunks; i += 1) await writeFile(path.join(big, `blob-${i}.bin`), randomBytes(16 * 1024 * 1024));
  await writeFile(path.join(root, 'ignored.skip'), 'excluded by the form\n');
  return root;
}

/**
 * Watches the job page in the browser until the header's status is final, sampling the
 * progress bar and the log's line count; returns what it saw.
 */
async function watchJobPage(page) {
  return page.evaluate(async (timeoutMs) => {
    const seen = { percents: [], lineCounts: [], statuses: [], currentFiles: 0 };
    const deadline = Date.now() + timeoutMs;
    const final = ['succeeded', 'warning', 'failed', 'cancelled', 'lost'];
    while (Date.now() < deadline) {
      const status = document.querySelector('[data-testid="job-status"]')?.getAttribute('data-status') ?? '';
      if (seen.statuses.at(-1) !== status) seen.statuses.push(status);
      const bar = document.querySelector('[role="progressbar"][aria-label="Backup progress"]');
      const pct = bar ? Number(bar.getAttribute('aria-valuenow')) : null;
      if (pct !== null && seen.percents.at(-1) !== pct) seen.percents.push(pct);
      const count = Number((document.querySelector('[data-testid="log-count"]')?.textContent ?? '').replace(/[^0-9]/g, '') || 0);
      if (seen.lineCounts.at(-1) !== count) seen.lineCounts.push(count);
      if (document.querySelector('[data-testid="progress-current"]')) seen.currentFiles += 1;
      if (final.includes(status)) return seen;
      await new Promise((r) => setTimeout(r, 100));
    }
    return seen;
  }, JOB_TIMEOUT);
}

export const title = 'jobs: run a backup, watch it live, find its snapshot';

export async function run({ page, base, state }) {
  const hostId = state.linkedHostId;
  const source = await makeBackupSource();
  let host = null;
  let repoName = '';
  let jobId = '';
  let snapshotId = '';

  try {
    await check('jobs: the host is online with a linked repository', async () => {
      await page.goto(`${base}/hosts/${hostId}`);
      await page.getByTestId('host-status').filter({ hasText: 'Online' }).waitFor({ timeout: 40_000 });
      host = (await api(page, 'GET', `/api/v1/hosts/${hostId}`)).body;
      assert(host?.repository_ids?.length >= 1, `the host has no linked repository: ${JSON.stringify(host)}`);
      const repos = (await api(page, 'GET', '/api/v1/repositories')).body.items;
      repoName = repos.find((r) => r.id === host.repository_ids[0])?.name ?? '';
      assert(repoName, `repository ${host.repository_ids[0]} not in the list`);
    });

    await check('jobs: "Initialize…" on the repository’s row runs restic init on the linked host; the job succeeds', async () => {
      await page.goto(`${base}/repositories`);
      await page.getByRole('button', { name: `Actions for ${repoName}` }).click();
      await page.getByRole('menuitem', { name: 'Initialize…' }).click();
      const dialog = page.getByRole('dialog', { name: `Initialize ${repoName}` });
      await dialog.waitFor();
      // The only online linked host is chosen already, and the button has the focus.
      const field = dialog.getByRole('combobox', { name: 'Host' });
      await page.waitForFunction(
        (name) => document.querySelector('[role="dialog"] input[data-path="hostId"]')?.value === name,
        host.hostname,
        { timeout: 15_000 },
      );
      assert((await field.inputValue()) === host.hostname, `host field: ${await field.inputValue()}`);
      const start = dialog.getByRole('button', { name: 'Initialize repository' });
      assert(await start.evaluate((el) => el === document.activeElement), 'the Initialize button does not have the focus');
      await shot(page, 'repository-init');
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
      await shot(page, 'repository-init-dark');
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => /^\/jobs\/[0-9a-f-]{36}$/.test(url.pathname), { timeout: 15_000 });
      const initId = pathOf(page).split('/').pop();
      // The job page follows it live: wait until its status badge shows the end.
      const status = page.locator('[data-testid="job-status"]').first();
      const final = ['succeeded', 'warning', 'failed', 'cancelled', 'lost'].map((st) => `[data-status="${st}"]`).join(', ');
      await page.locator(`[data-testid="job-status"]:is(${final})`).first().waitFor({ timeout: JOB_TIMEOUT });
      const ended = (await api(page, 'GET', `/api/v1/jobs/${initId}`)).body;
      assert(ended.kind === 'init' && ended.host_id === hostId, `job: ${ended.kind} on ${ended.host_id}`);
      // A repository someone initialized before is fine too (restic refuses, nothing is lost).
      assert(
        ended.status === 'succeeded' || /already (exists|initialized)/i.test(ended.error_message ?? ''),
        `init ended ${ended.status}: ${ended.error_class} ${ended.error_message}`,
      );
      assert((await status.getAttribute('data-status')) === ended.status, `page shows ${await status.getAttribute('data-status')}, job is ${ended.status}`);
      await shot(page, 'repository-init-job');
    });

    await check('jobs: "Test" on the linked repository opens it from the host: reachable, with restic’s repository id', async () => {
      await page.goto(`${base}/hosts/${hostId}`);
      const row = page.locator(`[data-testid="repository-probe"][data-repository-id="${host.repository_ids[0]}"]`);
      await row.getByRole('button', { name: `Test ${repoName}` }).click();
      // The server waits up to 20 s for the agent's answer.
      await page.locator(`[data-testid="repository-probe"][data-repository-id="${host.repository_ids[0]}"]:not([data-state="testing"]):not([data-state="idle"])`).waitFor({ timeout: 30_000 });
      const ended = await row.getAttribute('data-state');
      assert(ended === 'reachable', `probe ended ${ended}: ${await row.textContent()}`);
      const text = (await row.getByTestId('repository-probe-ok').textContent()) ?? '';
      assert(/^Reachable · repository [0-9a-f]{8} \(format [12]\) · opened in \d+(\.\d)?\s(ms|s) from this host/.test(text), `result: ${text}`);
      const shown = ((await row.getByTestId('repository-probe-id').textContent()) ?? '').trim();
      const full = (await row.getByTestId('repository-probe-id').getAttribute('title')) ?? '';
      assert(/^[0-9a-f]{64}$/.test(full) && full.startsWith(shown) && shown.length === 8, `repository id ${shown} / ${full}`);
      await shot(page, 'repository-probe');
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
      await shot(page, 'repository-probe-dark');
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    });

    await check('jobs: "Test" on a repository linked with a wrong password shows restic.wrong_password', async () => {
      // A second entry for the same restic repository with the wrong password, linked for this step only.
      const created = await api(page, 'POST', '/api/v1/repositories', {
        name: WRONG_PASSWORD_REPO,
        url: state.repoUrl,
        password: 'not-the-e2e-repo-password',
        env: {},
      });
      assert(created.status === 201 || created.status === 200, `create: ${created.status} ${JSON.stringify(created.body)}`);
      const wrongId = created.body.id;
      const linked = await api(page, 'PUT', `/api/v1/hosts/${hostId}/repositories`, { repository_ids: [...host.repository_ids, wrongId] });
      assert(linked.status === 200, `link: ${linked.status} ${JSON.stringify(linked.body)}`);
      await page.goto(`${base}/hosts/${hostId}`);
      // The agent must have the new config before it can open the repository.
      await page.locator('[data-testid="config-sync"][data-in-sync="true"]').waitFor({ timeout: 40_000 });
      const row = page.locator(`[data-testid="repository-probe"][data-repository-id="${wrongId}"]`);
      await row.getByRole('button', { name: `Test ${WRONG_PASSWORD_REPO}` }).focus();
      await page.keyboard.press('Enter');
      await page.locator(`[data-testid="repository-probe"][data-repository-id="${wrongId}"]:not([data-state="testing"]):not([data-state="idle"])`).waitFor({ timeout: 30_000 });
      const ended = await row.getAttribute('data-state');
      assert(ended === 'unreachable', `probe ended ${ended}: ${await row.textContent()}`);
      const failed = row.getByTestId('repository-probe-failed');
      assert((await failed.getAttribute('data-error-class')) === 'restic.wrong_password', `error class: ${await failed.getAttribute('data-error-class')}`);
      const text = (await failed.textContent()) ?? '';
      assert(text.includes(`This host could not open ${WRONG_PASSWORD_REPO}`) && text.includes('restic.wrong_password'), `alert: ${text}`);
      await shot(page, 'repository-probe-wrong-password');
      await page.setViewportSize({ width: 390, height: 844 });
      await failed.waitFor();
      const { overflow, culprits } = await sidewaysOverflow(page);
      assert(overflow <= 1, `the host page scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
      await shot(page, 'repository-probe-phone');
      await page.setViewportSize({ width: 1280, height: 800 });
      // Back to the one linked repository the later steps and specs expect.
      const unlinked = await api(page, 'PUT', `/api/v1/hosts/${hostId}/repositories`, { repository_ids: host.repository_ids });
      assert(unlinked.status === 200, `unlink: ${unlinked.status} ${JSON.stringify(unlinked.body)}`);
      const deleted = await api(page, 'DELETE', `/api/v1/repositories/${wrongId}`);
      assert(deleted.status === 204 || deleted.status === 200, `delete: ${deleted.status} ${JSON.stringify(deleted.body)}`);
      await waitFor(
        'the agent to apply the config without the wrong-password repository',
        async () => {
          const h = (await api(page, 'GET', `/api/v1/hosts/${hostId}`)).body;
          return h.repository_ids.length === 1 && h.applied_config_version === h.config_version;
        },
        40_000,
        500,
      );
    });

    await check('jobs: host page shows the snapshots empty state and "Run backup now"', async () => {
      await page.goto(`${base}/hosts/${hostId}`);
      const empty = page.getByTestId('snapshots-empty');
      await empty.waitFor();
      const emptyText = (await empty.textContent()) ?? '';
      assert(emptyText.includes('No snapshots yet') && emptyText.includes('Run a backup to make the first one.'), `empty state: ${emptyText}`);
      await page.getByTestId('recent-jobs').getByTestId('recent-job').first().waitFor(); // the init job
      await shot(page, 'host-jobs-empty');
    });

    await check('jobs: the backup form refuses a relative path before sending anything', async () => {
      await page.getByRole('button', { name: 'Run backup now' }).first().click();
      const dialog = page.getByRole('dialog', { name: `Back up ${host.hostname} now` });
      await dialog.waitFor();
      const repo = dialog.getByRole('combobox', { name: 'Repository' }).or(dialog.getByRole('textbox', { name: 'Repository' }));
      if (!(await repo.first().inputValue())) {
        await repo.first().click();
        await page.getByRole('option', { name: repoName }).click();
      }
      await dialog.getByLabel('Paths').fill('relative/path');
      await dialog.getByRole('button', { name: 'Start backup' }).click();
      await dialog.getByText('“relative/path” is not an absolute path: start it with /').waitFor();
      assert(pathOf(page) === `/hosts/${hostId}`, 'the form left the page on an invalid path');
    });

    await check('jobs: "Start backup" sends the form and opens the job page', async () => {
      const dialog = page.getByRole('dialog', { name: `Back up ${host.hostname} now` });
      await dialog.getByLabel('Paths').fill(source);
      await dialog.getByLabel('Excludes').fill('*.skip');
      await dialog.getByRole('combobox', { name: 'Tags' }).fill('e2e');
      await dialog.getByRole('combobox', { name: 'Tags' }).press('Enter');
      await shot(page, 'backup-form');
      // Keyboard: Ctrl+Enter sends from the text area.
      await dialog.getByLabel('Paths').press('Control+Enter');
      await page.waitForURL((url) => /^\/jobs\/[0-9a-f-]{36}$/.test(url.pathname), { timeout: 15_000 });
      jobId = pathOf(page).split('/').pop();
      assert(UUID.test(jobId), `job id ${jobId}`);
      const job = (await api(page, 'GET', `/api/v1/jobs/${jobId}`)).body;
      assert(job.kind === 'backup' && job.backup.paths[0] === source, `job: ${JSON.stringify(job.backup)}`);
      assert(job.backup.excludes[0] === '*.skip' && job.backup.tags[0] === 'e2e', `job spec: ${JSON.stringify(job.backup)}`);
    });

    await check('jobs: the live log and the progress bar move while it runs; status turns Succeeded', async () => {
      // Sampling starts at once (in the page), so a quick backup is still seen moving.
      const watching = watchJobPage(page);
      const running = page.locator('[data-testid="job-status"][data-status="running"]').first();
      await running.waitFor({ timeout: 30_000 });
      await page.getByRole('progressbar', { name: 'Backup progress' }).waitFor();
      await shot(page, 'job-running').catch(() => undefined); // it may end meanwhile
      const seen = await watching;
      const last = seen.statuses.at(-1);
      assert(last === 'succeeded', `ended ${last}; statuses ${seen.statuses.join(' → ')}`);
      assert(seen.statuses.includes('running'), `never shown running: ${seen.statuses.join(' → ')}`);
      const moving = seen.percents.filter((p) => p > 0 && p < 100);
      assert(seen.percents.length >= 2 && moving.length >= 1, `progress did not move: ${seen.percents.join(', ')} %`);
      assert(seen.lineCounts.length >= 2 && seen.lineCounts.at(-1) > 0, `log did not grow: ${seen.lineCounts.join(', ')} lines`);
      process.stdout.write(`       progress ${seen.percents.join(' → ')} %, log ${seen.lineCounts.join(' → ')} lines\n`);
    });

    await check('jobs: the finished job shows its summary, the command and no Cancel', async () => {
      const summary = page.getByTestId('job-summary');
      await summary.waitFor();
      const added = (await page.getByTestId('stat-added').textContent()) ?? '';
      assert(/\d+(\.\d+)? (B|KiB|MiB|GiB)/.test(added), `data added: ${added}`);
      const newFiles = Number(((await page.getByTestId('stat-new').textContent()) ?? '').replace(/[^0-9]/g, ''));
      assert(newFiles >= 1500, `new files: ${newFiles}`);
      snapshotId = ((await page.getByTestId('summary-snapshot').textContent()) ?? '').trim();
      assert(/^[0-9a-f]{8,64}$/.test(snapshotId), `snapshot id: ${snapshotId}`);
      const command = (await page.getByTestId('job-command').textContent()) ?? '';
      assert(command.startsWith('restic backup --tag e2e --exclude') && command.includes(source), `command: ${command}`);
      assert((await page.getByRole('button', { name: 'Cancel job' }).count()) === 0, 'Cancel is offered on a finished job');
      await page.getByRole('button', { name: 'Raw result (JSON)' }).click();
      assert(((await page.getByTestId('job-raw-result').textContent()) ?? '').includes('"outcome": "succeeded"'), 'raw result');
      await shot(page, 'job-succeeded');
    });

    await check('jobs: the job page reads well at phone width and in dark mode', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('job-summary').waitFor();
      const { overflow, culprits } = await sidewaysOverflow(page);
      assert(overflow <= 1, `the job page scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
      await shot(page, 'job-phone');
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
      await shot(page, 'job-dark');
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    });

    await check('jobs: the snapshot appears in the host’s list, linked to its job', async () => {
      await page.goto(`${base}/hosts/${hostId}`);
      const row = page.locator(`[data-testid="snapshot-row"][data-snapshot-id^="${snapshotId.slice(0, 8)}"]`);
      await row.waitFor({ timeout: 40_000 });
      const text = (await row.textContent()) ?? '';
      assert(text.includes(source) && text.includes('e2e') && text.includes(repoName), `snapshot row: ${text}`);
      assert(/\d+(\.\d+)? (B|KiB|MiB|GiB) added|\d+(\.\d+)? (B|KiB|MiB|GiB)/.test(text), `no size added in: ${text}`);
      const link = row.getByRole('link', { name: 'View job' }).first();
      assert((await link.getAttribute('href')) === `/jobs/${jobId}`, `job link: ${await link.getAttribute('href')}`);
      const recent = page.getByTestId('recent-jobs').locator(`a[href="/jobs/${jobId}"]`);
      await recent.waitFor();
      assert((await recent.getAttribute('data-status')) === 'succeeded', 'recent jobs do not show the backup as succeeded');
      await shot(page, 'host-snapshots');
      await page.setViewportSize({ width: 390, height: 844 });
      await row.waitFor();
      const { overflow, culprits } = await sidewaysOverflow(page);
      assert(overflow <= 1, `the host page scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
      await shot(page, 'host-snapshots-phone');
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    await check('jobs: the history lists the backup; the host filter is in the URL', async () => {
      await page.getByTestId('recent-jobs').getByRole('link', { name: `All jobs of ${host.hostname}` }).click();
      await page.waitForURL((url) => url.pathname === '/jobs' && url.searchParams.get('host_id') === hostId);
      const row = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
      await row.waitFor();
      assert((await row.getAttribute('data-status')) === 'succeeded', 'history row status');
      const result = (await row.getByTestId('job-result').textContent()) ?? '';
      assert(/new, \d+ changed · .+ added/.test(result), `result column: ${result}`);
      await page.getByRole('combobox', { name: 'Status' }).click();
      await page.getByRole('option', { name: 'Failed' }).click();
      await page.waitForURL((url) => url.searchParams.get('status') === 'failed');
      await page.getByTestId('jobs-empty').filter({ hasText: 'No jobs match these filters' }).waitFor();
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await row.waitFor();
      await shot(page, 'jobs-history');
      await page.setViewportSize({ width: 390, height: 844 });
      await row.waitFor();
      await shot(page, 'jobs-history-phone');
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  } finally {
    await rm(source, { recursive: true, force: true }).catch(() => undefined);
  }
  Object.assign(state, { jobId, snapshotId });
}

// What changed between snapshots, and restore drills, on the host 08 linked and 09–11 backed
// up and browsed (its agent running): "What changed" on the host's newest snapshot shows what
// the diff API says for the snapshot before it, and "Compare with" 09's snapshot shows the rows
// the API gives for that pair (totals, rows, change chips filtering them; light, dark, phone width);
// "Restore drill" on the host page runs a drill through the real agent and restic, its job
// page shows the files verified and the time to restore, and the host page's "Last verified
// restore" and the home page's "Restore drills" card show it; the drill schedule card saves a
// weekly schedule from a preset (sentence and next fire; the API has it) and removes it.
// Expects the admin signed in at 1280×800, light, and state.linkedHostId; leaves the same.
import { REPO_NAME, api, assert, check, shot, sidewaysOverflow, waitFor } from '../harness/index.mjs';

const TIMEOUT = 120_000;

export const title = 'diff and drills: what changed in a snapshot, a restore drill run and scheduled';

export async function run({ page, base, state }) {
  const hostId = state.linkedHostId;
  let repoId = '';
  let newest = null;
  let diff = null; // the API's answer for the newest snapshot against its parent

  /** The diff API's answer once it has sizes. */
  const diffOf = async (against) => {
    let d = null;
    const q = new URLSearchParams({ repository_id: repoId, ...(against ? { against } : {}) });
    await waitFor('the diff with sizes', async () => {
      const r = await api(page, 'GET', `/api/v1/hosts/${hostId}/snapshots/${newest.id}/diff?${q}`);
      assert(r.status === 200, `diff: ${r.status} ${JSON.stringify(r.body)}`);
      d = r.body;
      return d.sizes_known;
    }, TIMEOUT);
    return d;
  };
  let parentDiff = null;
  let first = null; // 09's snapshot, the oldest of the host

  await check('diff: the API says what changed in the newest snapshot since the one before it, and since 09’s', async () => {
    const repos = (await api(page, 'GET', '/api/v1/repositories')).body.items;
    repoId = repos.find((r) => r.name === REPO_NAME)?.id ?? '';
    assert(repoId, `repository ${REPO_NAME} not listed`);
    const list = (await api(page, 'GET', `/api/v1/hosts/${hostId}/snapshots?repository_id=${repoId}&limit=500`)).body.items;
    assert(list.length >= 2, `the host has ${list.length} snapshot(s); 09 and 10 made several`);
    const byTime = [...list].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
    newest = byTime[0];
    first = list.find((s) => s.id.startsWith(state.snapshotId));
    assert(first && first.id !== newest.id, `09's snapshot ${state.snapshotId} is not an older one of the host's`);
    parentDiff = await diffOf(null);
    assert(parentDiff.to === newest.id && parentDiff.from === byTime[1].id, `parent range: ${parentDiff.from} → ${parentDiff.to}`);
    diff = await diffOf(first.id);
    assert(diff.from === first.id && diff.to === newest.id, `range: ${diff.from} → ${diff.to}`);
    // 09 backed up small/ and big/; 10's backups, a smaller source: paths were removed or added.
    assert(diff.total > 0 && diff.changes.length > 0, `no change between 09's snapshot and the newest: ${JSON.stringify(diff.totals)}`);
    assert(diff.total === diff.changes.length || diff.truncated, `total ${diff.total}, ${diff.changes.length} rows`);
  });

  await check('diff: “What changed” shows the change since the snapshot before; “Compare with” 09’s shows the same rows as the API; a chip filters them', async () => {
    await page.goto(`${base}/hosts/${hostId}/snapshots/${newest.id}?repo=${repoId}`);
    await page.getByTestId('browser-diff').click();
    await page.waitForURL((url) => url.pathname === `/hosts/${hostId}/snapshots/${newest.id}/diff`);
    await page.getByTestId('snapshot-diff').waitFor();
    if (parentDiff.total === 0) {
      await page.getByTestId('diff-empty').waitFor({ timeout: TIMEOUT });
    } else {
      await page.getByTestId('diff-table').waitFor({ timeout: TIMEOUT });
    }
    await page.getByTestId('diff-against').click();
    await page.getByRole('option', { name: new RegExp(`^${first.short_id}`) }).click();
    await page.waitForURL((url) => url.searchParams.get('against') === first.id);
    await page.getByTestId('diff-table').waitFor({ timeout: TIMEOUT });
    await page.getByTestId('diff-totals').waitFor();
    const rows = page.getByTestId('diff-row');
    // The page asks for the same first 1,000 changes the API gave by default.
    await waitFor('the rows', async () => (await rows.count()) === diff.changes.length, 30_000);
    const counted = (await page.getByTestId('diff-count').textContent()) ?? '';
    assert(counted.replace(/[^0-9]/g, '').startsWith(String(diff.total)), `count line: ${counted} (API total ${diff.total})`);
    const shown = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-change')));
    const kinds = [...new Set(diff.changes.slice(0, shown.length).map((c) => c.change))].sort();
    assert(JSON.stringify([...new Set(shown)].sort()) === JSON.stringify(kinds), `the page shows ${[...new Set(shown)]}, the API ${kinds}`);
    const range = (await page.getByTestId('diff-range').textContent()) ?? '';
    assert(range.includes(diff.from.slice(0, 8)) && range.includes(diff.to.slice(0, 8)), `range text: ${range}`);
    await shot(page, 'snapshot-diff', { fullPage: false });
    const kind = kinds[0];
    // A chip is an input under its label: the label is what a person clicks.
    const toggle = async (k) => {
      const el = page.getByTestId(`diff-chip-${k}`);
      const [tag, id] = await el.evaluate((e) => [e.tagName, e.id]);
      await (tag === 'INPUT' && id ? page.locator(`label[for="${id}"]`) : el).click();
    };
    // Each kind that occurs has a chip with the API's count for it.
    for (const { change, count } of diff.by_change) {
      const n = await page.getByTestId(`diff-chip-${change}`).getAttribute('data-count');
      assert(n === String(count), `chip ${change} counts ${n}, the API ${count}`);
    }
    // The chips are on by default: turning the others off asks the server for this kind only
    // (in the URL too), and the rows are all of that kind, as many as the API counts; the
    // last kind chosen cannot be turned off.
    const only = diff.by_change.find((c) => c.change === kind)?.count ?? 0;
    if (kinds.length > 1) {
      for (const other of diff.by_change.map((c) => c.change).filter((c) => c !== kind)) await toggle(other);
      await waitFor(`only ${kind} rows`, async () => {
        const now = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-change')));
        return now.length === Math.min(only, 1000) && now.every((c) => c === kind);
      }, 10_000);
      assert(new URL(page.url()).searchParams.get('changes') === kind, `url: ${page.url()}`);
    } else {
      await toggle(kind);
      const el = page.getByTestId(`diff-chip-${kind}`);
      assert(await el.isChecked(), `the only kind, ${kind}, was turned off`);
      assert((await rows.count()) === diff.changes.length, 'rows changed when the only kind was clicked');
    }
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'snapshot-diff-dark', { fullPage: false });
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    await page.setViewportSize({ width: 390, height: 844 });
    await rows.first().waitFor();
    const { overflow, culprits } = await sidewaysOverflow(page);
    assert(overflow <= 1, `the diff scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
    await shot(page, 'snapshot-diff-phone', { fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check('drill: “Restore drill” runs one through the agent; its job shows the files verified and the time to restore', async () => {
    await page.goto(`${base}/hosts/${hostId}`);
    await page.getByTestId('restore-drill').click();
    await page.waitForURL((url) => /^\/jobs\/[0-9a-f-]{36}$/.test(url.pathname));
    const jobId = new URL(page.url()).pathname.split('/').pop();
    let job = null;
    await waitFor('the drill to end', async () => {
      job = (await api(page, 'GET', `/api/v1/jobs/${jobId}`)).body;
      assert(!['failed', 'cancelled', 'lost'].includes(job.status), `drill ${job.status}: ${job.error ?? ''} ${JSON.stringify(job.result ?? {})}`);
      return job.status === 'succeeded';
    }, TIMEOUT);
    const d = job.result?.drill;
    assert(job.kind === 'drill' && d && d.files > 0 && d.verified === true && d.mismatches.length === 0, `drill result: ${JSON.stringify(d)}`);
    assert(d.snapshot_id === newest.id, `the drill sampled ${d.snapshot_id}, the newest is ${newest.id}`);
    const report = page.getByTestId('drill-report');
    await report.waitFor({ timeout: 30_000 });
    const summary = (await page.getByTestId('drill-summary').textContent()) ?? '';
    assert(summary.includes(String(d.files)), `summary "${summary}" does not say ${d.files} files`);
    await shot(page, 'drill-job');
    state.drillJobId = jobId;
  });

  await check('drill: the host page’s “Last verified restore” and the home page’s “Restore drills” card show it', async () => {
    await page.goto(`${base}/hosts/${hostId}`);
    const last = page.getByTestId('host-last-drill');
    await last.waitFor();
    await waitFor('the last drill on the host page', async () => ((await last.textContent()) ?? '').length > 0, 15_000);
    await page.goto(`${base}/`);
    const tile = page.getByTestId('drill-tile');
    await page.locator('[data-testid="drill-tile"][data-state="succeeded"]').waitFor({ timeout: 20_000 });
    const report = (await tile.getByTestId('drill-tile-report').textContent()) ?? '';
    assert(/verified/.test(report), `home card: ${report}`);
    assert((await tile.locator(`a[href="/jobs/${state.drillJobId}"]`).count()) > 0, 'the card links to the drill’s job');
    await shot(page, 'home-drills');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'home-drills-dark');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    await page.setViewportSize({ width: 390, height: 844 });
    await tile.waitFor();
    const { overflow, culprits } = await sidewaysOverflow(page);
    assert(overflow <= 1, `home scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
    await shot(page, 'home-drills-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check('drill schedule: the card saves a weekly schedule from a preset; the sentence, the next fire and the API agree; it is removed', async () => {
    await page.goto(`${base}/hosts/${hostId}`);
    const card = page.getByTestId('drill-schedule');
    await card.getByTestId('drill-schedule-empty').waitFor();
    await card.getByRole('button', { name: 'Schedule drills' }).click();
    const form = page.getByTestId('drill-schedule-form');
    await form.waitFor();
    const cron = form.getByLabel('Cron expression');
    await cron.fill('* * * * *');
    await page.locator('[data-testid="drill-cron-preview"][data-state="error"]').waitFor({ timeout: 10_000 });
    await cron.fill('0 5 * * 0');
    const sentence = page.getByTestId('drill-cron-sentence');
    await sentence.waitFor({ timeout: 10_000 });
    await waitFor('the next fires', async () => (await page.getByTestId('drill-cron-fire').count()) > 0, 10_000);
    await form.getByLabel('Files').fill('5');
    await shot(page, 'drill-schedule-editor', { fullPage: false });
    await form.getByRole('button', { name: 'Save schedule' }).click();
    await form.waitFor({ state: 'detached' });
    const line = card.getByTestId('drill-schedule-sentence');
    await line.waitFor();
    const text = (await line.textContent()) ?? '';
    assert(/5 files/.test(text) && text.includes(REPO_NAME), `card sentence: ${text}`);
    const s = (await api(page, 'GET', `/api/v1/hosts/${hostId}/drill-schedule`)).body.schedule;
    assert(s && s.cron === '0 5 * * 0' && s.files === 5 && s.repository_id === repoId, `API: ${JSON.stringify(s)}`);
    const next = Date.parse(s.next_at);
    assert(next > Date.now() && next < Date.now() + 8 * 86_400_000, `next fire ${s.next_at}`);
    await shot(page, 'drill-schedule', { fullPage: false });
    await card.getByRole('button', { name: 'Remove schedule' }).click();
    await page.getByRole('dialog', { name: 'Remove the drill schedule?' }).getByRole('button', { name: /Remove/ }).click();
    await card.getByTestId('drill-schedule-empty').waitFor();
    const after = (await api(page, 'GET', `/api/v1/hosts/${hostId}/drill-schedule`)).body;
    assert(after.schedule === undefined, `after removal: ${JSON.stringify(after)}`);
  });
}

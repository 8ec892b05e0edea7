// Browsing and searching snapshots, on the host 08 linked and 09 backed up (its agent running):
// "Browse" on 09's snapshot (the one holding the backup source's small/ and big/; 10's
// scheduled backups made newer, smaller ones) opens the browser; the snapshots' "Calendar" view
// (?snapview=calendar) lists it on its local day with its size, in light, dark and at phone
// width, and "Browse and restore" opens it again; the browser shows the agent reading
// the snapshot (restic ls) or, if that was quick, the listing; rows and breadcrumbs lead down
// to small/ (Enter on a row, back/forward, "Load more"); the filter and the sort live in the
// URL and in aria-sort; light, dark and phone width; the host page's "Find a file in all
// snapshots" lists the path with the snapshot holding it, and its chip opens the browser in the
// file's folder; "search in this snapshot" from the browser; the answers' shapes and the error
// bodies through the API; downloading a file through the browser and restoring one with the
// wizard into a new directory (preview, job, report, the file's bytes on disk). Real server, agent and restic. Expects the admin signed in at
// 1280×800, light, and state.linkedHostId + state.snapshotId; leaves the same.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_NAME, api, assert, check, serverFetch, shot, sidewaysOverflow, waitFor } from '../harness/index.mjs';

const INDEX_TIMEOUT = 120_000;
const FULL_ID = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KINDS = ['file', 'dir', 'symlink', 'dev', 'chardev', 'fifo', 'socket', 'other'];

export const title = 'snapshots: browse a snapshot, filter and sort, find a file in all snapshots';

export async function run({ page, context, base, state }) {
  const hostId = state.linkedHostId;
  let repoId = '';
  let snapshot = null; // 09's, from the host's list
  let source = ''; // the folder 09 backed up
  let restoredFile = ''; // note-0042.txt as the restore wrote it

  /** The path param the browser's URL holds ('/' when absent). */
  const urlPath = () => new URL(page.url()).searchParams.get('path') ?? '/';
  /** The folder the breadcrumbs say we are in. */
  const here = async () => ((await page.getByTestId('path-breadcrumbs').locator('[aria-current="page"]').textContent()) ?? '').trim();
  /** The names of the rows shown, in order. */
  const rowNames = () => page.locator('[data-testid="tree-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
  /** Waits until the listing of `dir` is shown (breadcrumbs, URL and rows agree). */
  const listed = async (dir, name) => {
    await page.waitForURL((url) => (url.searchParams.get('path') ?? '/') === dir);
    await page.locator('[data-testid="path-breadcrumbs"] [aria-current="page"]').filter({ hasText: name }).waitFor();
    await page.locator('[data-testid="tree-table"]:not([aria-busy="true"])').waitFor();
  };
  /** A GET the way a script would send it: this session's cookies, no page (for answers the page must not log). */
  const rawGet = async (url) => {
    const cookies = await context.cookies(base);
    const res = await serverFetch(`${base}${url}`, { headers: { Cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
    return { status: res.status, body: await res.json().catch(() => null) };
  };

  await check('browse: the host’s snapshots offer “Browse”; it opens 09’s snapshot at its root', async () => {
    const repos = (await api(page, 'GET', '/api/v1/repositories')).body.items;
    repoId = repos.find((r) => r.name === REPO_NAME)?.id ?? '';
    assert(UUID.test(repoId), `repository ${REPO_NAME} not listed`);
    const list = (await api(page, 'GET', `/api/v1/hosts/${hostId}/snapshots?repository_id=${repoId}&limit=500`)).body.items;
    snapshot = list.find((s) => s.id.startsWith(state.snapshotId));
    assert(snapshot && FULL_ID.test(snapshot.id), `09's snapshot ${state.snapshotId} is not in the host's list`);
    source = snapshot.paths[0];
    assert(source?.startsWith('/'), `snapshot paths: ${JSON.stringify(snapshot.paths)}`);

    await page.goto(`${base}/hosts/${hostId}`);
    const row = page.locator(`[data-testid="snapshot-row"][data-snapshot-id="${snapshot.id}"][data-repository-id="${repoId}"]`);
    // Later snapshots (10's) may push it past the first page.
    for (let i = 0; i < 10 && !(await row.isVisible()); i += 1) {
      await page.getByTestId('snapshot-row').first().waitFor();
      if (await row.isVisible()) break;
      await page.getByTestId('snapshots-section').getByRole('button', { name: 'Load more' }).click();
      await page.waitForTimeout(300);
    }
    const browse = row.getByRole('link', { name: `Browse snapshot ${snapshot.short_id}` });
    await browse.click();
    await page.waitForURL((url) => url.pathname === `/hosts/${hostId}/snapshots/${snapshot.id}` && url.searchParams.get('repo') === repoId);
    const header = (await page.getByTestId('browser-snapshot-id').textContent()) ?? '';
    assert(header.trim() === snapshot.short_id, `header short id: ${header}`);
  });

  await check('calendar: “Calendar” (in the URL) lists 09’s snapshot on its day with its size; “Browse and restore” opens it', async () => {
    assert(snapshot, 'no snapshot from the previous check');
    const browserPath = `/hosts/${hostId}/snapshots/${snapshot.id}`;
    try {
      await page.goto(`${base}/hosts/${hostId}`);
      await page.getByTestId('snapshot-row').first().waitFor();
      await page.getByTestId('snapshots-view').getByText('Calendar', { exact: true }).click();
      await page.waitForURL((url) => url.searchParams.get('snapview') === 'calendar');
      await page.getByTestId('snapshot-calendar').waitFor();
      // The day in the browser's time zone, as the calendar counts days.
      const [y, m, d] = await page.evaluate((t) => {
        const at = new Date(t);
        return [at.getFullYear(), at.getMonth() + 1, at.getDate()];
      }, snapshot.time);
      const date = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      const day = page.locator(`[data-testid="calendar-day"][data-date="${date}"]`);
      // It opens on the newest snapshot's month; 09's is earlier when 10 ran after midnight at a month's end.
      for (let i = 0; i < 12 && (await day.count()) === 0; i += 1) {
        const prev = page.getByTestId('calendar-prev');
        assert(await prev.isEnabled(), `no ${date} in the calendar (it shows ${await page.getByTestId('calendar-month').textContent()})`);
        await prev.click();
      }
      const count = Number(await day.getAttribute('data-count'));
      assert(count >= 1, `${date} counts ${count} snapshots`);
      const label = (await day.getAttribute('aria-label')) ?? '';
      assert(label.endsWith(`: ${count} ${count === 1 ? 'snapshot' : 'snapshots'}`), `day label: ${label}`);
      await day.click();
      assert((await day.getAttribute('aria-pressed')) === 'true', `${date} is not shown as picked`);
      const item = page.locator(`[data-testid="calendar-snapshot"][data-snapshot-id="${snapshot.id}"][data-repository-id="${repoId}"]`);
      await item.waitFor();
      const listed = await page.getByTestId('calendar-day-list').getByTestId('calendar-snapshot').count();
      assert(listed === count, `${listed} snapshots listed for a day counting ${count}`);
      const text = (await item.textContent()) ?? '';
      assert(text.includes(snapshot.short_id), `no short id ${snapshot.short_id} in: ${text}`);
      // formatBytes prints binary units: 512 B, 1.50 KiB, 12.3 MiB.
      assert(/\d+(\.\d+)? (B|KiB|MiB|GiB)/.test(text), `no size in: ${text}`);
      if (typeof snapshot.size === 'number') assert(/[\d,.\s]+ files?\b/.test(text), `a Cairn snapshot without its file count: ${text}`);
      if ((await page.getByTestId('snapshot-timeline').count()) > 0 && typeof snapshot.size === 'number') {
        const bar = page.locator(`[data-testid="timeline-bar"][data-snapshot-id="${snapshot.id}"]`).first();
        const barLabel = (await bar.getAttribute('aria-label')) ?? '';
        assert(barLabel.startsWith(`Snapshot ${snapshot.short_id}, `), `timeline bar label: ${barLabel}`);
      }
      await shot(page, 'snapshot-calendar');
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
      await shot(page, 'snapshot-calendar-dark');
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('snapshot-calendar').waitFor();
      const { overflow, culprits } = await sidewaysOverflow(page);
      assert(overflow <= 1, `the calendar scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
      const box = await day.boundingBox();
      assert(box && box.width >= 36 && box.x + box.width <= 390, `a day at phone width: ${JSON.stringify(box)}`);
      await shot(page, 'snapshot-calendar-phone');
      await page.setViewportSize({ width: 1280, height: 800 });
      await item.getByRole('link', { name: `Browse and restore snapshot ${snapshot.short_id}` }).click();
      await page.waitForURL((url) => url.pathname === browserPath && url.searchParams.get('repo') === repoId);
    } finally {
      // The next checks expect the browser at 1280×800, light.
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light')).catch(() => undefined);
      await page.setViewportSize({ width: 1280, height: 800 });
      if (new URL(page.url()).pathname !== browserPath) await page.goto(`${base}${browserPath}?repo=${repoId}`);
    }
  });

  await check('browse: the first open shows the agent reading the snapshot (or, when quick, the listing), then the root', async () => {
    // Sampled in the page from now on: the reading progress may last only a moment.
    const seen = await page.evaluate(async (timeoutMs) => {
      const texts = [];
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const t = document.querySelector('[data-testid="snapshot-indexing-text"]')?.textContent;
        if (t && texts.at(-1) !== t) texts.push(t);
        if (document.querySelector('[data-testid="tree-table"]')) return { texts, table: true };
        if (document.querySelector('[role="alert"]')) return { texts, table: false, alert: document.querySelector('[role="alert"]').textContent };
        await new Promise((r) => setTimeout(r, 50));
      }
      return { texts, table: false };
    }, INDEX_TIMEOUT);
    assert(seen.table, `no listing after ${INDEX_TIMEOUT / 1000}s${seen.alert ? `: ${seen.alert}` : ''}; progress seen: ${seen.texts.join(' | ')}`);
    for (const t of seen.texts) {
      assert(/^Reading the snapshot… [\d,]+ paths read$|^Waiting for another snapshot to be read first$/.test(t), `progress text: ${t}`);
    }
    process.stdout.write(`       reading progress seen: ${seen.texts.length ? seen.texts.join(' → ') : 'none (the agent was quicker than the page)'}\n`);
    await listed('/', '/');
    const first = source.split('/').filter(Boolean)[0];
    assert((await rowNames()).includes(first), `root rows: ${(await rowNames()).join(', ')}`);
    assert((await page.getByRole('button', { name: 'Parent folder' }).isDisabled()), 'the parent button is enabled at the root');
  });

  await check('browse: rows (click and Enter) and breadcrumbs lead down to small/; back and forward work', async () => {
    const segments = source.split('/').filter(Boolean);
    let dir = '';
    for (const [i, name] of segments.entries()) {
      const link = page.getByRole('link', { name: `Open folder ${name}`, exact: true });
      if (i % 2 === 1) {
        await link.focus();
        await page.keyboard.press('Enter');
      } else {
        await link.click();
      }
      dir = `${dir}/${name}`;
      await listed(dir, name);
    }
    const names = await rowNames();
    assert(names.join(',') === 'big,small', `the backed-up folder lists ${names.join(', ')} (ignored.skip was excluded)`);
    await page.getByRole('link', { name: 'Open folder small', exact: true }).click();
    await listed(`${source}/small`, 'small');
    const count = (await page.getByTestId('tree-count').textContent()) ?? '';
    assert(count === 'Showing 200 of 1,500', `count: ${count}`);
    assert((await page.locator('[data-testid="tree-row"][data-kind="file"]').count()) === 200, 'not 200 file rows');
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByTestId('tree-count').filter({ hasText: 'Showing 400 of 1,500' }).waitFor();
    // The breadcrumb of the source folder goes up; Back returns to small/, Forward up again.
    const parentName = segments.at(-1);
    await page.getByTestId('path-breadcrumbs').getByRole('link', { name: parentName, exact: true }).click();
    await listed(source, parentName);
    await page.goBack();
    await listed(`${source}/small`, 'small');
    await page.goForward();
    await listed(source, parentName);
    // The root breadcrumb, then Back to where we were; Alt+↑ goes up one.
    await page.getByTestId('path-breadcrumbs').getByRole('link', { name: 'Snapshot root' }).click();
    await listed('/', '/');
    await page.goBack();
    await listed(source, parentName);
    await page.getByRole('link', { name: 'Open folder small', exact: true }).click();
    await listed(`${source}/small`, 'small');
    assert((await here()) === 'small', `breadcrumbs end at ${await here()}`);
  });

  await check('browse: the filter narrows small/ to note-0007 and is kept in the URL', async () => {
    await page.getByRole('textbox', { name: 'Filter this folder' }).fill('note-0007');
    await page.waitForURL((url) => url.searchParams.get('filter') === 'note-0007');
    await waitFor('one row', async () => (await rowNames()).join(',') === 'note-0007.txt', 15_000);
    const count = (await page.getByTestId('tree-count').textContent()) ?? '';
    assert(count === '1 entry matching “note-0007”', `count: ${count}`);
    const row = page.locator('[data-testid="tree-row"][data-name="note-0007.txt"]');
    const mode = (await row.getByTestId('tree-mode').textContent()) ?? '';
    assert(/^-[rwx-]{9}$/.test(mode), `mode column: ${mode}`);
    assert(/^\d+ B$/.test(((await row.getByTestId('tree-size').textContent()) ?? '').trim()), `size: ${await row.getByTestId('tree-size').textContent()}`);
    await shot(page, 'snapshot-browser-filtered');
    // Reload keeps it; a filter nothing matches says so.
    await page.reload();
    await page.locator('[data-testid="tree-row"][data-name="note-0007.txt"]').waitFor();
    assert((await page.getByRole('textbox', { name: 'Filter this folder' }).inputValue()) === 'note-0007', 'the filter box lost its text on reload');
    await page.getByRole('textbox', { name: 'Filter this folder' }).fill('no-such-note');
    await page.getByTestId('tree-no-match').filter({ hasText: 'Nothing in this folder matches “no-such-note”' }).waitFor();
    await page.getByRole('button', { name: 'Clear filter' }).first().click();
    await page.waitForURL((url) => !url.searchParams.has('filter'));
    await page.getByTestId('tree-count').filter({ hasText: 'Showing 200 of 1,500' }).waitFor();
  });

  await check('browse: sorting by size sets aria-sort and the URL, largest first, then smallest; Enter sorts by name', async () => {
    const th = (name) => page.locator('th').filter({ has: page.getByTestId(`sort-${name}`) });
    assert((await th('name').getAttribute('aria-sort')) === 'ascending', `name aria-sort: ${await th('name').getAttribute('aria-sort')}`);
    await page.getByTestId('sort-size').click();
    await page.waitForURL((url) => url.searchParams.get('sort') === 'size' && url.searchParams.get('desc') === '1');
    await page.locator('th[aria-sort="descending"]').filter({ hasText: 'Size' }).waitFor();
    assert((await th('name').getAttribute('aria-sort')) === 'none', 'name still sorted');
    // Sizes grow with the number's digits: note-1000 … note-1499 are the largest.
    await waitFor('the largest notes first', async () => /^note-1\d{3}\.txt$/.test((await rowNames())[0] ?? ''), 15_000);
    const viaApi = (await api(page, 'GET', `/api/v1/hosts/${hostId}/snapshots/${snapshot.id}/tree?repository_id=${repoId}&path=${encodeURIComponent(`${source}/small`)}&sort=size&descending=true&limit=1000`)).body;
    const sizes = viaApi.entries.map((e) => e.size);
    assert(sizes.every((s, i) => i === 0 || sizes[i - 1] >= s), 'the API did not sort by size, descending');
    await shot(page, 'snapshot-browser', { fullPage: false });
    await page.getByTestId('sort-size').click();
    await page.waitForURL((url) => url.searchParams.get('sort') === 'size' && !url.searchParams.has('desc'));
    await page.locator('th[aria-sort="ascending"]').filter({ hasText: 'Size' }).waitFor();
    await waitFor('the smallest notes first', async () => /^note-000\d\.txt$/.test((await rowNames())[0] ?? ''), 15_000);
    await page.getByTestId('sort-name').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => !url.searchParams.has('sort') && !url.searchParams.has('desc'));
    await page.locator('th[aria-sort="ascending"]').filter({ hasText: 'Name' }).waitFor();
    await waitFor('A→Z again', async () => (await rowNames())[0] === 'note-0000.txt', 15_000);
  });

  await check('browse: the browser reads well in dark mode and at phone width, where “Sort by” stands in for the headers', async () => {
    await page.getByTestId('sort-size').click();
    await page.waitForURL((url) => url.searchParams.get('sort') === 'size');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'snapshot-browser-dark', { fullPage: false });
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('[data-testid="tree-row"]').first().waitFor();
    const { overflow, culprits } = await sidewaysOverflow(page);
    assert(overflow <= 1, `the browser scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
    const sortBy = page.getByRole('combobox', { name: 'Sort by' });
    // The list follows the order the table answers with: it may take the new page's answer.
    await waitFor('the phone sort list shows size:desc', async () => (await sortBy.inputValue()) === 'size:desc', 10_000).catch(async () => {
      throw new Error(`phone sort list shows ${await sortBy.inputValue()}`);
    });
    await sortBy.selectOption({ label: 'Modified, newest first' });
    await page.waitForURL((url) => url.searchParams.get('sort') === 'mtime' && url.searchParams.get('desc') === '1');
    await shot(page, 'snapshot-browser-phone', { fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check('browse: the tree answers have the documented shape; bad paths are refused with their codes', async () => {
    const q = (params) => `/api/v1/hosts/${hostId}/snapshots/${snapshot.id}/tree?${new URLSearchParams({ repository_id: repoId, ...params })}`;
    const t = (await api(page, 'GET', q({ path: `${source}//small/`, filter: 'NOTE-000', sort: 'name', descending: 'true', limit: '5', offset: '2' }))).body;
    assert(t.snapshot_id === snapshot.id && t.repository_id === repoId, `ids: ${t.snapshot_id} ${t.repository_id}`);
    assert(t.path === `${source}/small`, `normalised path: ${t.path}`);
    assert(t.indexing === undefined, `still indexing: ${JSON.stringify(t.indexing)}`);
    assert(t.total === 10 && t.offset === 2 && t.entries.length === 5, `page: total ${t.total}, offset ${t.offset}, ${t.entries.length} entries`);
    assert(t.entries.map((e) => e.name).join(',') === 'note-0007.txt,note-0006.txt,note-0005.txt,note-0004.txt,note-0003.txt', `entries: ${t.entries.map((e) => e.name)}`);
    for (const e of t.entries) {
      assert(KINDS.includes(e.kind) && e.kind === 'file', `kind ${e.kind}`);
      assert(Number.isInteger(e.size) && e.size > 0 && Number.isInteger(e.mode) && e.mode > 0 && e.mode <= 0o7777, `size/mode: ${JSON.stringify(e)}`);
      assert(!Number.isNaN(Date.parse(e.mtime)) && Number.isInteger(e.uid) && Number.isInteger(e.gid), `mtime/owner: ${JSON.stringify(e)}`);
    }
    assert(Number.isInteger(t.catalog_ms) && Number.isInteger(t.round_trip_ms), `timings: ${t.catalog_ms} ${t.round_trip_ms}`);
    const dirs = (await api(page, 'GET', q({ path: source }))).body;
    assert(dirs.entries.every((e) => e.kind === 'dir') && dirs.total === 2, `source folder: ${JSON.stringify(dirs.entries)}`);
    // Refusals, sent outside the page (a page would log them as failed loads).
    const bad = await rawGet(q({ path: `${source}/../etc` }));
    assert(bad.status === 400 && bad.body?.code === 'snapshot.invalid_path' && bad.body.message && typeof bad.body.details === 'object', `bad path: ${bad.status} ${JSON.stringify(bad.body)}`);
    const missing = await rawGet(q({ path: `${source}/no-such-folder` }));
    assert(missing.status === 404 && missing.body?.code === 'not_found' && missing.body.message, `missing folder: ${missing.status} ${JSON.stringify(missing.body)}`);
  });

  await check('search: “Find a file in all snapshots” lists the path with the snapshot holding it', async () => {
    await page.goto(`${base}/hosts/${hostId}`);
    const box = page.getByRole('textbox', { name: 'Find a file in all snapshots' });
    await box.fill('note-0042');
    await box.press('Enter');
    await page.waitForURL((url) => url.pathname === `/hosts/${hostId}/snapshots/search` && url.searchParams.get('q') === 'note-0042');
    const found = page.locator(`[data-testid="search-path"][data-path="${source}/small/note-0042.txt"]`);
    await found.waitFor({ timeout: INDEX_TIMEOUT });
    // The agent reads the host's other snapshots one at a time; the page asks again until it is done.
    if (await page.getByTestId('search-indexing').isVisible()) {
      const note = (await page.getByTestId('search-indexing').textContent()) ?? '';
      assert(/^(1 snapshot is|\d+ snapshots are) still being read; results will grow\.$/.test(note), `indexing note: ${note}`);
      await shot(page, 'snapshot-search-indexing');
    }
    await page.getByTestId('search-indexing').waitFor({ state: 'detached', timeout: INDEX_TIMEOUT });
    const paths = await page.locator('[data-testid="search-path"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
    assert(paths.length === 1, `paths found: ${paths.join(', ')}`);
    const chips = found.getByTestId('search-snapshot-chip');
    const ids = await chips.evaluateAll((els) => els.map((e) => e.getAttribute('data-snapshot-id')));
    assert(ids.includes(snapshot.id), `chips ${ids.join(', ')} do not include ${snapshot.id}`);
    const chipText = (await chips.first().textContent()) ?? '';
    assert(chipText.startsWith(snapshot.short_id), `chip: ${chipText}`);
    const facts = (await found.getByTestId('search-version-facts').first().textContent()) ?? '';
    assert(/^File · \d+ B · modified .+ · -[rwx-]{9} · in \d+ snapshots?$/.test(facts), `version line: ${facts}`);
    const summary = (await page.getByTestId('search-summary').textContent()) ?? '';
    assert(/^1 path matches “note-0042” in \d+ snapshots? · [\d,]+ ms$/.test(summary), `summary: ${summary}`);
    await shot(page, 'snapshot-search');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'snapshot-search-dark');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    await page.setViewportSize({ width: 390, height: 844 });
    await found.waitFor();
    const { overflow, culprits } = await sidewaysOverflow(page);
    assert(overflow <= 1, `the search scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
    await shot(page, 'snapshot-search-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check('search: a snapshot chip opens the browser in the file’s folder, the file shown', async () => {
    const found = page.locator(`[data-testid="search-path"][data-path="${source}/small/note-0042.txt"]`);
    await found.locator(`[data-testid="search-snapshot-chip"][data-snapshot-id="${snapshot.id}"]`).click();
    await page.waitForURL((url) => url.pathname === `/hosts/${hostId}/snapshots/${snapshot.id}`);
    await listed(`${source}/small`, 'small');
    assert(new URL(page.url()).searchParams.get('filter') === 'note-0042.txt', `filter: ${page.url()}`);
    await page.locator('[data-testid="tree-row"][data-name="note-0042.txt"]').waitFor();
    assert(urlPath() === `${source}/small`, `path: ${urlPath()}`);
  });

  await check('search: “Find anywhere in this snapshot” searches only this snapshot (a glob)', async () => {
    const box = page.getByRole('textbox', { name: 'Find a file in this snapshot' });
    await box.fill('blob-*.bin');
    await box.press('Enter');
    await page.waitForURL((url) => url.pathname.endsWith('/snapshots/search') && url.searchParams.get('snapshot') === snapshot.id && url.searchParams.get('q') === 'blob-*.bin');
    await page.getByTestId('search-only-snapshot').filter({ hasText: snapshot.short_id }).waitFor();
    await page.getByTestId('search-path').first().waitFor({ timeout: INDEX_TIMEOUT });
    const paths = await page.locator('[data-testid="search-path"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
    assert(paths.length >= 1 && paths.every((p) => p.startsWith(`${source}/big/blob-`) && p.endsWith('.bin')), `paths: ${paths.join(', ')}`);
    const chipIds = await page.getByTestId('search-snapshot-chip').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-snapshot-id')))]);
    assert(chipIds.length === 1 && chipIds[0] === snapshot.id, `chips of other snapshots: ${chipIds.join(', ')}`);
    await shot(page, 'snapshot-search-one');
  });

  await check('search: the answers have the documented shape; a narrow limit says truncated; errors carry their codes', async () => {
    const s = (params) => `/api/v1/hosts/${hostId}/snapshots/search?${new URLSearchParams({ repository_id: repoId, ...params })}`;
    const r = (await api(page, 'GET', s({ q: 'NOTE-0042' }))).body;
    assert(r.repository_id === repoId && r.pattern === 'NOTE-0042' && r.truncated === false, `answer: ${JSON.stringify({ ...r, paths: r.paths?.length })}`);
    assert(Array.isArray(r.indexing) && r.indexing.length === 0 && r.searched.includes(snapshot.id) && r.searched.every((id) => FULL_ID.test(id)), `searched/indexing: ${r.searched} / ${r.indexing}`);
    assert(r.paths.length === 1 && r.paths[0].path === `${source}/small/note-0042.txt`, `paths: ${JSON.stringify(r.paths)}`);
    const v = r.paths[0].versions;
    assert(v.length === 1 && v[0].kind === 'file' && v[0].size > 0 && v[0].snapshots.includes(snapshot.id) && !Number.isNaN(Date.parse(v[0].mtime)), `versions: ${JSON.stringify(v)}`);
    const many = (await api(page, 'GET', s({ q: 'note-', limit: '50' }))).body;
    assert(many.truncated === true && many.paths.length === 50, `truncated: ${many.truncated}, ${many.paths.length} paths`);
    const glob = (await api(page, 'GET', s({ q: `${source}/small/note-00?0.txt` }))).body;
    assert(glob.paths.length === 10 && glob.paths.every((p) => /note-00\d0\.txt$/.test(p.path)), `path glob: ${glob.paths.map((p) => p.path)}`);
    const one = (await api(page, 'GET', s({ q: 'note-0042', snapshot_id: snapshot.id }))).body;
    assert(one.searched.length === 1 && one.searched[0] === snapshot.id, `one snapshot: ${one.searched}`);
    // Refusals, sent outside the page.
    const empty = await rawGet(`/api/v1/hosts/${hostId}/snapshots/search?repository_id=${repoId}&q=%20%20%20`);
    assert(empty.status === 400 && typeof empty.body?.code === 'string' && empty.body.message, `blank pattern: ${empty.status} ${JSON.stringify(empty.body)}`);
    const other = state.announceHostId && state.announceHostId !== hostId ? state.announceHostId : state.tokenHostId;
    if (other && other !== hostId) {
      const none = await rawGet(`/api/v1/hosts/${other}/snapshots/search?q=x`);
      assert(none.status === 409 && none.body?.code === 'snapshot.none' && none.body.message, `host without snapshots: ${none.status} ${JSON.stringify(none.body)}`);
    }
  });

  await check('restore: pick a file, the wizard previews and restores it into a new directory; the job reports it; the bytes match', async () => {
    const file = `${source}/small/note-0042.txt`;
    const target = path.join(os.tmpdir(), `cairn-e2e-restore-${Date.now()}`);
    restoredFile = path.join(target, file);
    await page.goto(`${base}/hosts/${hostId}/snapshots/${snapshot.id}?${new URLSearchParams({ repo: repoId, path: `${source}/small`, filter: 'note-0042.txt' })}`);
    const row = page.locator('[data-testid="tree-row"][data-name="note-0042.txt"]');
    await row.waitFor({ timeout: INDEX_TIMEOUT });
    const listedSize = ((await row.getByTestId('tree-size').textContent()) ?? '').trim();
    await row.getByRole('checkbox', { name: 'Select note-0042.txt' }).check();
    const selected = (await page.getByTestId('restore-selected-count').textContent()) ?? '';
    assert(selected === '1 selected', `selection: ${selected}`);
    await page.getByTestId('restore-open').click();
    const wizard = page.getByTestId('restore-wizard');
    await wizard.waitFor();
    assert(((await wizard.getByTestId('restore-paths').textContent()) ?? '').includes(file), 'the wizard does not list the picked file');
    await wizard.getByTestId('restore-next').click();
    const dir = page.getByTestId('target-path');
    await dir.fill(target);
    await dir.press('Enter');
    await page.getByTestId('overwrite-if_changed').waitFor();
    await page.getByTestId('restore-next').click();
    const preview = page.getByTestId('restore-preview');
    await preview.waitFor({ timeout: INDEX_TIMEOUT });
    const created = (await page.getByTestId('preview-create').textContent()) ?? '';
    assert(created === '1', `preview would create ${created}`);
    await shot(page, 'restore-wizard-preview', { fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 });
    await preview.waitFor();
    await shot(page, 'restore-wizard-preview-phone', { fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('restore-next').click();
    await page.getByTestId('restore-start').click();
    await page.waitForURL((url) => /^\/jobs\/[0-9a-f-]{36}$/.test(url.pathname));
    const jobId = new URL(page.url()).pathname.split('/').pop();
    await waitFor('the restore job to end', async () => {
      const job = (await api(page, 'GET', `/api/v1/jobs/${jobId}`)).body;
      assert(job.status !== 'failed' && job.status !== 'cancelled', `restore job ${job.status}: ${job.error ?? ''}`);
      return job.status === 'succeeded';
    }, INDEX_TIMEOUT);
    const report = page.getByTestId('restore-report');
    await report.waitFor({ timeout: 30_000 });
    const reportTarget = (await report.getByTestId('report-target').textContent()) ?? '';
    assert(reportTarget === target, `report target: ${reportTarget}`);
    assert(((await report.getByTestId('report-created').textContent()) ?? '') === '1', `report created: ${await report.getByTestId('report-created').textContent()}`);
    // 09 removed its source folder: the restored file is checked against what 09 wrote (`note 42 <96 hex>`)
    // and the size the browser listed; the download below is compared with it byte for byte.
    const restored = await readFile(restoredFile);
    assert(/^note 42 [0-9a-f]{96}\n$/.test(restored.toString('utf8')), `restored content: ${JSON.stringify(restored.toString('utf8'))}`);
    assert(listedSize === `${restored.length} B`, `restored ${restored.length} bytes, the browser listed ${listedSize}`);
    await shot(page, 'restore-job-report');
    await page.setViewportSize({ width: 390, height: 844 });
    await report.waitFor();
    await shot(page, 'restore-job-report-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check('download: a file row’s “Download” saves the same bytes as the restored file', async () => {
    await page.goto(`${base}/hosts/${hostId}/snapshots/${snapshot.id}?${new URLSearchParams({ repo: repoId, path: `${source}/small`, filter: 'note-0042.txt' })}`);
    const row = page.locator('[data-testid="tree-row"][data-name="note-0042.txt"]');
    await row.waitFor({ timeout: INDEX_TIMEOUT });
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Download note-0042.txt' }).click()]);
    assert(download.suggestedFilename() === 'note-0042.txt', `suggested name: ${download.suggestedFilename()}`);
    const saved = await readFile(await download.path());
    const original = await readFile(restoredFile);
    assert(saved.equals(original), `downloaded ${saved.length} bytes, the restored file has ${original.length} (or they differ)`);
  });
}

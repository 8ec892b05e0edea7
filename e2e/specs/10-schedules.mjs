// Schedules, on the host 08 linked to the repository 09 initialized (its agent running): the
// host page's Schedules tab starts empty; the editor shows the server's refusal of a cron that
// fires too often, then a preset's sentence and next five fires in the host's zone; saving adds
// the row with its next fire; the badge turns "In sync" once the agent applies the set; "Run
// now" runs the backup and the row's last run shows it succeeded, linked to its job; a cron set
// two minutes ahead fires on the agent's clock and the row shows that run; editing
// moves it to another zone and disables it; dark mode and phone width (the list and the
// editor); a manual schedule reads "runs only when asked" and is deleted once its name is typed;
// the repository's page runs stats through the host's agent and shows the figures (light, dark,
// phone width); an admin adds an extra option and a post-hook, Check shows the exact command and
// the next run's hook sees its status; an admin rotates the repository's key and backups go on;
// "Copy to mirror" copies the repository into a second one linked to the host (the job says
// what it copied, the repository page shows the pair up to date; light, dark, phone width), and
// the schedule's "Copy to a mirror" is set (the row shows "→ mirror") and set back to None.
// Real server, agent and restic. Expects the admin signed in at 1280×800, light; leaves the
// disabled schedule on the host (14 deletes the host), the mirror repository unlinked, and
// state.scheduleId.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { api, assert, check, scratchDir, shot, sidewaysOverflow, waitFor } from '../harness/index.mjs';

// Monthly (the 1st at 03:00): the agents fire schedules on their own clock, and a fire must not
// land inside the run and race its "Run now".
const NAME = 'e2e-monthly';
const MONTHLY = '0 3 1 * *';
const MANUAL = 'e2e-manual';
const TOO_OFTEN = '* * * * *';
const RUN_TIMEOUT = 120_000;
const FINAL = ['succeeded', 'warning', 'failed', 'cancelled', 'lost'];
const MIRROR = 'e2e-mirror';

/**
 * Waits for job `id` to end (the API is the judge), then for its own page to show it: right
 * after a navigation the previous page's status badges may still be in the document.
 */
async function jobEnded(page, id) {
  let job;
  await waitFor(`job ${id} to end`, async () => FINAL.includes((job = (await api(page, 'GET', `/api/v1/jobs/${id}`)).body).status), RUN_TIMEOUT, 500);
  await page.waitForFunction(
    ({ id, final }) => window.location.pathname === `/jobs/${id}` && final.includes(document.querySelector('[data-testid="job-status"]')?.getAttribute('data-status') ?? ''),
    { id, final: FINAL },
    { timeout: 30_000 },
  );
  return job;
}

export const title = 'schedules: the host’s Schedules tab, the live preview, Run now, edit and disable';

export async function run({ page, base, state }) {
  const hostId = state.linkedHostId;
  let host = null;
  let repoName = '';
  let zone = '';
  let scheduleId = '';

  // What the schedule backs up: a few small files (the backup itself is 09's subject).
  const source = await scratchDir('cairn-e2e-scheduled-');
  for (let i = 0; i < 20; i += 1) await writeFile(path.join(source, `file-${i}.txt`), `scheduled ${i}\n`);

  const row = (name) => page.locator('[data-testid="schedule-row"]').filter({ has: page.getByTestId('schedule-name').getByText(name, { exact: true }) });
  const listViaApi = async () => (await api(page, 'GET', `/api/v1/hosts/${hostId}/schedules`)).body;

  await check('schedules: the host’s Schedules tab says nothing is scheduled yet', async () => {
    host = (await api(page, 'GET', `/api/v1/hosts/${hostId}`)).body;
    assert(host?.repository_ids?.length === 1, `the host has no single linked repository: ${JSON.stringify(host)}`);
    const repos = (await api(page, 'GET', '/api/v1/repositories')).body.items;
    repoName = repos.find((r) => r.id === host.repository_ids[0])?.name ?? '';
    assert(repoName, 'the linked repository is not listed');
    // The zone the host's agent reported (schedules default to it), else UTC.
    zone = host.timezone ?? 'UTC';
    await page.goto(`${base}/hosts/${hostId}`);
    await page.getByTestId('host-facts').waitFor();
    await page.getByRole('tab', { name: 'Schedules' }).click();
    await page.waitForURL((url) => url.searchParams.get('tab') === 'schedules');
    const empty = page.getByTestId('schedules-empty');
    await empty.waitFor();
    const text = (await empty.textContent()) ?? '';
    assert(text.includes('No schedule yet') && text.includes(`${host.hostname} is backed up only when you click “Run backup now”`), `empty state: ${text}`);
    assert((await page.getByTestId('host-facts').count()) === 0, 'the overview is still shown behind the Schedules tab');
    await page.getByTestId('schedules-sync').filter({ hasText: 'In sync' }).waitFor();
    await shot(page, 'schedules-empty');
  });

  let editor = null;

  await check('schedules: a cron that fires every minute gets the server’s own message in the preview', async () => {
    await page.getByTestId('schedules-empty').getByRole('button', { name: 'New schedule' }).click();
    editor = page.getByRole('dialog', { name: `New schedule for ${host.hostname}` });
    await editor.waitFor();
    const name = editor.getByRole('textbox', { name: /^Name/ });
    assert(await name.evaluate((el) => el === document.activeElement), 'the Name field does not have the focus');
    // A new schedule starts on the daily preset, already previewed.
    await editor.locator('[data-testid="cron-preview"][data-state="ok"]').waitFor();
    const cron = editor.getByRole('textbox', { name: /^Cron expression/ });
    await cron.fill(TOO_OFTEN);
    const refused = editor.locator('[data-testid="cron-preview"][data-state="error"]');
    await refused.waitFor();
    const expected = await api(page, 'GET', `/api/v1/schedules/preview?cron=${encodeURIComponent(TOO_OFTEN)}&host_id=${hostId}`);
    assert(expected.status === 400 && expected.body?.code === 'schedule.invalid_cron', `preview API: ${expected.status} ${JSON.stringify(expected.body)}`);
    const shown = (await refused.textContent()) ?? '';
    assert(shown.includes(expected.body.message), `preview shows "${shown}", the server says "${expected.body.message}"`);
    assert((await editor.getByTestId('cron-preview-fire').count()) === 0, 'fire times are listed for a refused expression');
    await shot(page, 'schedules-editor-bad-cron');
  });

  let fires = [];
  await check('schedules: the monthly preset fills the cron; the preview shows its sentence and the next five fires', async () => {
    await editor.getByRole('combobox', { name: 'Preset' }).click();
    await page.getByRole('option', { name: 'On the 1st of every month at 03:00' }).click();
    const cron = editor.getByRole('textbox', { name: /^Cron expression/ });
    assert((await cron.inputValue()) === MONTHLY, `cron field: ${await cron.inputValue()}`);
    const preview = editor.locator('[data-testid="cron-preview"][data-state="ok"]');
    await preview.waitFor();
    const expected = (await api(page, 'GET', `/api/v1/schedules/preview?cron=${encodeURIComponent(MONTHLY)}&host_id=${hostId}`)).body;
    assert(expected.timezone === zone, `preview zone ${expected.timezone}, host zone ${zone}`);
    await preview.getByTestId('cron-preview-sentence').filter({ hasText: expected.description }).waitFor();
    fires = await preview.getByTestId('cron-preview-time').allTextContents();
    assert(fires.length === 5, `${fires.length} fire times: ${fires.join(' | ')}`);
    // The 1st of five months in a row at 03:00, written in the zone it runs in.
    for (const fire of fires) assert(/\b[A-Z][a-z]{2} 1,.*\b03:00\b/.test(fire), `fire time not the 1st at 03:00: ${fire}`);
    const months = new Set(fires.map((f) => /\b([A-Z][a-z]{2}) 1,/.exec(f)?.[1]));
    assert(months.size === 5, `fire times repeat a month: ${fires.join(' | ')}`);
    const caption = (await preview.textContent()) ?? '';
    assert(caption.includes(`Next runs, in ${zone} (the host’s zone)`), `preview caption: ${caption}`);
    const zoneField = editor.getByRole('textbox', { name: /^Time zone/ }).or(editor.getByRole('combobox', { name: /^Time zone/ }));
    assert(((await zoneField.first().getAttribute('placeholder')) ?? '').includes(zone), 'the time zone field does not show the host’s zone');
    await shot(page, 'schedules-editor');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'schedules-editor-dark');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
  });

  await check('schedules: Enter in the name saves; the row shows the sentence, the zone and the next fire', async () => {
    await editor.getByRole('textbox', { name: /^Paths/ }).fill(source);
    await editor.getByRole('combobox', { name: 'Tags', exact: true }).fill('scheduled');
    await editor.getByRole('combobox', { name: 'Tags', exact: true }).press('Enter');
    await editor.getByRole('textbox', { name: 'Keep daily' }).fill('7');
    const repo = editor.getByRole('combobox', { name: /^Repository/ }).or(editor.getByRole('textbox', { name: /^Repository/ }));
    assert((await repo.first().inputValue()) === repoName, `repository field: ${await repo.first().inputValue()}`);
    await editor.getByRole('textbox', { name: /^Name/ }).fill(NAME);
    await editor.getByRole('textbox', { name: /^Name/ }).press('Enter');
    await editor.waitFor({ state: 'hidden' });
    const r = row(NAME);
    await r.waitFor();
    const list = await listViaApi();
    const saved = list.items.find((s) => s.name === NAME);
    assert(saved && saved.cron === MONTHLY && saved.timezone === undefined, `stored: ${JSON.stringify(saved)}`);
    assert(saved.backup.paths[0] === source && saved.backup.tags[0] === 'scheduled' && saved.retention?.keep_daily === 7, `stored: ${JSON.stringify(saved)}`);
    assert(saved.next_fires.length === 5 && saved.effective_timezone === zone, `fires/zone: ${JSON.stringify(saved)}`);
    scheduleId = saved.id;
    assert((await r.getAttribute('data-schedule-id')) === scheduleId, 'row id');
    const sentence = (await r.getByTestId('schedule-sentence').textContent()) ?? '';
    assert(sentence === saved.description, `row sentence "${sentence}", server "${saved.description}"`);
    assert(((await r.getByTestId('schedule-zone').textContent()) ?? '').includes(`${zone} (host’s zone)`), 'row zone');
    assert(((await r.getByTestId('schedule-repository').textContent()) ?? '') === `to ${repoName}`, 'row repository');
    const relative = (await r.getByTestId('schedule-next-relative').textContent()) ?? '';
    assert(/^(in \d+ (days?|weeks?|months?)|tomorrow|next (week|month))$/.test(relative), `next fire (relative): ${relative}`);
    const absolute = (await r.getByTestId('schedule-next-absolute').textContent()) ?? '';
    assert(absolute === fires[0] || fires.includes(absolute), `next fire "${absolute}" is not the preview's first "${fires[0]}"`);
    assert((await r.getByTestId('schedule-last-run').getAttribute('data-status')) === 'none', 'a new schedule has a last run');
  });

  await check('schedules: the badge says "In sync" once the agent has applied the new set', async () => {
    await page.locator('[data-testid="schedules-sync"][data-in-sync="true"]').waitFor({ timeout: 40_000 });
    const list = await listViaApi();
    assert(list.in_sync && list.applied_config_version === list.config_version, `list: ${list.applied_config_version}/${list.config_version}`);
    const h = (await api(page, 'GET', `/api/v1/hosts/${hostId}`)).body;
    assert(h.config_version === list.config_version, `host config ${h.config_version}, schedules list ${list.config_version}`);
  });

  await check('schedules: Run now runs the backup; the row’s last run shows it succeeded, linked to its job', async () => {
    const r = row(NAME);
    await r.getByRole('button', { name: 'Run now' }).click();
    await page.getByText(`${NAME} started; its progress shows under Last run.`).waitFor();
    const last = r.getByTestId('schedule-last-run');
    await r.locator(`[data-testid="schedule-last-run"]:is(${FINAL.map((s) => `[data-status="${s}"]`).join(', ')})`).waitFor({ timeout: RUN_TIMEOUT });
    const jobId = await last.getAttribute('data-job-id');
    const job = (await api(page, 'GET', `/api/v1/jobs/${jobId}`)).body;
    assert(job.status === 'succeeded', `run ended ${job.status}: ${job.error_class} ${job.error_message}`);
    assert((await last.getAttribute('data-status')) === 'succeeded', `row shows ${await last.getAttribute('data-status')}`);
    assert(job.kind === 'backup' && job.schedule_id === scheduleId, `job: ${job.kind}, schedule ${job.schedule_id}`);
    assert(job.backup.paths[0] === source && job.backup.tags.includes('scheduled'), `job spec: ${JSON.stringify(job.backup)}`);
    assert((await last.getAttribute('href')) === `/jobs/${jobId}`, `last run links to ${await last.getAttribute('href')}`);
    assert(((await last.textContent()) ?? '').includes('Succeeded'), `last run: ${await last.textContent()}`);
    const stored = (await listViaApi()).items.find((s) => s.id === scheduleId);
    assert(stored.last_run?.job_id === jobId && stored.last_run.status === 'succeeded', `last_run: ${JSON.stringify(stored.last_run)}`);
    await shot(page, 'schedules-list');
  });

  await check('schedules: a cron set two minutes ahead fires on the agent’s clock; the row shows the run, made by the schedule', async () => {
    const r = row(NAME);
    const last = r.getByTestId('schedule-last-run');
    const manual = await last.getAttribute('data-job-id');
    // The first whole minute at least 90 s away (time for the agent to take the new set),
    // written in the zone the schedule is read in (the host's). Once a day: allowed.
    const at = new Date(Math.ceil((Date.now() + 90_000) / 60_000) * 60_000);
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    const soon = `${Number(parts.minute)} ${Number(parts.hour)} * * *`;
    await r.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${NAME}` });
    const cron = edit.getByRole('textbox', { name: /^Cron expression/ });
    await cron.fill(soon);
    await edit.locator('[data-testid="cron-preview"][data-state="ok"]').waitFor();
    await edit.getByRole('button', { name: 'Save schedule' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page.locator('[data-testid="schedules-sync"][data-in-sync="true"]').waitFor({ timeout: 40_000 });
    // Nobody clicks: the agent fires it, and the list (refreshed every 15 s) shows the run.
    const wait = at.getTime() - Date.now() + RUN_TIMEOUT;
    await page.waitForFunction(
      ({ id, before, final }) => {
        const el = document.querySelector(`[data-testid="schedule-row"][data-schedule-id="${id}"] [data-testid="schedule-last-run"]`);
        return el && el.getAttribute('data-job-id') !== before && final.includes(el.getAttribute('data-status') ?? '');
      },
      { id: scheduleId, before: manual, final: FINAL },
      { timeout: wait },
    );
    const jobId = await last.getAttribute('data-job-id');
    const job = (await api(page, 'GET', `/api/v1/jobs/${jobId}`)).body;
    assert(job.status === 'succeeded', `the fired run ended ${job.status}: ${job.error_class} ${job.error_message}`);
    assert(job.actor_kind === 'schedule' && job.actor === NAME && job.schedule_id === scheduleId, `not the schedule's run: ${job.actor_kind} ${job.actor} ${job.schedule_id}`);
    // It fired at the minute asked, on the agent's clock (the job's time is the fire time).
    const fired = Date.parse(job.created_at);
    assert(Math.abs(fired - at.getTime()) < 60_000, `fired at ${job.created_at}, asked for ${at.toISOString()}`);
    await shot(page, 'schedules-fired');
    // Back to monthly for the steps that follow (through the API: the editor is covered).
    const saved = (await listViaApi()).items.find((s) => s.id === scheduleId);
    const body = {
      name: saved.name, repository_id: saved.repository_id, cron: MONTHLY, enabled: saved.enabled, backup: saved.backup,
      retention: saved.retention, forget_after_backup: saved.forget_after_backup, prune_after_forget: saved.prune_after_forget,
      missed: saved.missed,
    };
    const put = await api(page, 'PUT', `/api/v1/schedules/${scheduleId}`, body);
    assert(put.status === 200, `restore monthly: ${put.status} ${JSON.stringify(put.body)}`);
    await page.reload();
    await row(NAME).waitFor();
  });

  await check('schedules: an admin adds an extra option and a post-hook; Check shows the exact command; the next run’s post-hook sees its status', async () => {
    const out = path.join(await scratchDir('cairn-e2e-hook-'), 'post-hook.txt');
    const r = row(NAME);
    await r.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${NAME}` });
    await edit.waitFor();
    await edit.getByRole('textbox', { name: /^Extra restic options/ }).fill('--exclude-caches');
    await edit.getByTestId('hooks-warning').waitFor();
    await edit.getByRole('textbox', { name: /^Post-hook command/ }).fill(`echo "post saw $CAIRN_JOB_STATUS"; echo "$CAIRN_JOB_STATUS $CAIRN_JOB_ID" > ${out}`);
    await edit.getByRole('button', { name: 'Check', exact: true }).click();
    const report = edit.locator('[data-testid="preflight-report"][data-stale="false"]');
    await report.waitFor({ timeout: 30_000 });
    assert((await report.getAttribute('data-state')) === 'ready', `preflight: ${await report.textContent()}`);
    const command = (await edit.getByTestId('preflight-command').textContent()) ?? '';
    for (const part of ['restic', ' backup ', '--exclude-caches', '--tag scheduled', ` -- ${source}`]) {
      assert(command.includes(part), `the command lacks "${part}": ${command}`);
    }
    const env = (await edit.getByTestId('preflight-env').textContent()) ?? '';
    assert(env.includes('RESTIC_PASSWORD=***') && env.includes('RESTIC_REPOSITORY='), `environment: ${env}`);
    await report.scrollIntoViewIfNeeded();
    await shot(page, 'schedules-preflight', { fullPage: false });
    await edit.getByRole('button', { name: 'Save schedule' }).click();
    await edit.waitFor({ state: 'hidden' });
    const saved = (await listViaApi()).items.find((x) => x.id === scheduleId);
    assert(saved.has_hooks && saved.hooks?.post?.command.includes(out) && saved.backup.extra_options[0] === '--exclude-caches', `stored: ${JSON.stringify(saved)}`);
    await page.locator('[data-testid="schedules-sync"][data-in-sync="true"]').waitFor({ timeout: 40_000 });

    const before = await r.getByTestId('schedule-last-run').getAttribute('data-job-id');
    await r.getByRole('button', { name: 'Run now' }).click();
    await page.waitForFunction(
      ({ id, before, final }) => {
        const el = document.querySelector(`[data-testid="schedule-row"][data-schedule-id="${id}"] [data-testid="schedule-last-run"]`);
        return el && el.getAttribute('data-job-id') !== before && final.includes(el.getAttribute('data-status') ?? '');
      },
      { id: scheduleId, before, final: FINAL },
      { timeout: RUN_TIMEOUT },
    );
    const jobId = await r.getByTestId('schedule-last-run').getAttribute('data-job-id');
    const job = (await api(page, 'GET', `/api/v1/jobs/${jobId}`)).body;
    assert(job.status === 'succeeded', `the run ended ${job.status}: ${job.error_class} ${job.error_message}`);
    const { readFile } = await import('node:fs/promises');
    const seen = (await readFile(out, 'utf8')).trim();
    assert(seen === `succeeded ${jobId}`, `the post-hook wrote "${seen}"`);
    const logs = (await api(page, 'GET', `/api/v1/jobs/${jobId}/logs?limit=1000`)).body.items;
    assert(logs.some((l) => l.stream === 'hook' && l.line.includes('post saw succeeded')), `no hook line in the log: ${JSON.stringify(logs.slice(-5))}`);
    // The job page marks the hook's line.
    await page.goto(`${base}/jobs/${jobId}`);
    await page.getByText('post saw succeeded').first().waitFor();
    await shot(page, 'job-hook-log');
    await page.goto(`${base}/hosts/${hostId}?tab=schedules`);
    await row(NAME).waitFor();
  });

  await check('schedules: the list reads well in dark mode and at phone width (375 px)', async () => {
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'schedules-list-dark');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      const r = row(NAME);
      await r.waitFor();
      const { overflow, culprits } = await sidewaysOverflow(page);
      assert(overflow <= 1, `the Schedules tab scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
      // The facts stack: "Next run" sits under "When", not beside it.
      const when = await r.getByTestId('schedule-when').boundingBox();
      const next = await r.getByTestId('schedule-next').boundingBox();
      assert(when && next && next.y >= when.y + when.height - 1, `facts side by side at phone width: ${JSON.stringify({ when, next })}`);
      await shot(page, 'schedules-list-phone');
      await r.getByRole('button', { name: 'Edit' }).click();
      const phoneEditor = page.getByRole('dialog', { name: `Edit ${NAME}` });
      await phoneEditor.locator('[data-testid="cron-preview"][data-state="ok"]').waitFor();
      const m = await sidewaysOverflow(page);
      assert(m.overflow <= 1, `the editor scrolls sideways at phone width by ${m.overflow}px: ${m.culprits.join('; ')}`);
      const box = await phoneEditor.boundingBox();
      assert(box && box.width <= 376, `the editor is ${box?.width}px wide on a 375px screen`);
      await shot(page, 'schedules-editor-phone', { fullPage: false });
      await phoneEditor.getByRole('button', { name: 'Cancel' }).click();
      await phoneEditor.waitFor({ state: 'hidden' });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  await check('schedules: Edit moves it to Europe/Berlin and disables it; the row says so', async () => {
    const r = row(NAME);
    await r.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${NAME}` });
    await edit.waitFor();
    assert((await edit.getByRole('textbox', { name: /^Cron expression/ }).inputValue()) === MONTHLY, 'the editor does not start from the schedule');
    assert((await edit.getByRole('textbox', { name: /^Paths/ }).inputValue()) === source, 'paths not filled in');
    const zoneField = edit.getByRole('textbox', { name: /^Time zone/ }).or(edit.getByRole('combobox', { name: /^Time zone/ })).first();
    await zoneField.click();
    await zoneField.fill('Europe/Berl');
    await page.getByRole('option', { name: 'Europe/Berlin' }).click();
    await edit.locator('[data-testid="cron-preview"][data-state="ok"]').filter({ hasText: 'Next runs, in Europe/Berlin:' }).waitFor();
    const enabled = edit.getByRole('switch', { name: /^Enabled/ });
    assert(await enabled.isChecked(), 'the schedule does not start enabled');
    await enabled.click();
    assert(!(await enabled.isChecked()), 'Enabled is still on');
    await edit.getByRole('button', { name: 'Save schedule' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page.locator(`[data-testid="schedule-row"][data-schedule-id="${scheduleId}"][data-enabled="false"]`).waitFor();
    assert(((await r.getByTestId('schedule-disabled').textContent()) ?? '') === 'Disabled', 'no Disabled badge');
    assert(((await r.getByTestId('schedule-next').textContent()) ?? '').includes('None: disabled'), `next run: ${await r.getByTestId('schedule-next').textContent()}`);
    assert(((await r.getByTestId('schedule-zone').textContent()) ?? '').trim() === 'Europe/Berlin', `zone: ${await r.getByTestId('schedule-zone').textContent()}`);
    const saved = (await listViaApi()).items.find((s) => s.id === scheduleId);
    assert(!saved.enabled && saved.timezone === 'Europe/Berlin' && saved.next_fires.length === 0, `stored: ${JSON.stringify(saved)}`);
    // The rest was sent back unchanged.
    assert(saved.backup.paths[0] === source && saved.retention?.keep_daily === 7 && saved.last_run?.status === 'succeeded', `stored: ${JSON.stringify(saved)}`);
    await page.locator('[data-testid="schedules-sync"][data-in-sync="true"]').waitFor({ timeout: 40_000 });
    await shot(page, 'schedules-disabled');
  });

  await check('schedules: a manual schedule reads “runs only when asked”; Delete asks for its name, then it goes', async () => {
    const created = await api(page, 'POST', `/api/v1/hosts/${hostId}/schedules`, {
      name: MANUAL,
      repository_id: host.repository_ids[0],
      backup: { paths: [source] },
    });
    assert(created.status === 201 && created.body.cron === undefined, `create: ${created.status} ${JSON.stringify(created.body)}`);
    await page.reload();
    const r = row(MANUAL);
    await r.waitFor();
    assert(((await r.getByTestId('schedule-sentence').textContent()) ?? '') === 'Manual — runs only when asked', 'manual sentence');
    assert(((await r.getByTestId('schedule-next').textContent()) ?? '').includes('Only when asked'), 'manual next run');
    await r.getByRole('button', { name: `Actions for ${MANUAL}` }).click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${MANUAL}?` });
    const button = confirm.getByRole('button', { name: 'Delete schedule' });
    assert(await button.isDisabled(), 'delete must stay disabled until the name is typed');
    await confirm.getByLabel(`Type ${MANUAL} to confirm`).fill(MANUAL);
    await button.click();
    await confirm.waitFor({ state: 'hidden' });
    await r.waitFor({ state: 'detached' });
    const left = (await listViaApi()).items.map((s) => s.name);
    assert(left.length === 1 && left[0] === NAME, `schedules left: ${JSON.stringify(left)}`);
  });

  await check('schedules: the repository page runs stats through the host and shows the figures', async () => {
    await page.goto(`${base}/repositories`);
    await page.getByRole('link', { name: repoName, exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/repositories/${host.repository_ids[0]}`);
    await page.getByTestId('repository-stats').waitFor();
    const linked = page.getByTestId('linked-host').filter({ hasText: host.hostname });
    await linked.waitFor();
    const stats = page.getByRole('button', { name: 'Stats…' });
    await page.waitForFunction(() => {
      const b = [...document.querySelectorAll('button')].find((el) => el.textContent === 'Stats…');
      return b && !b.disabled;
    });
    await stats.click();
    const dialog = page.getByRole('dialog');
    const hostField = dialog.getByRole('textbox', { name: /^Host/ }).or(dialog.getByRole('combobox', { name: /^Host/ })).first();
    if (!(await hostField.inputValue())) {
      await hostField.click();
      await page.getByRole('option', { name: host.hostname, exact: true }).click();
    }
    await dialog.getByRole('button', { name: 'Start stats' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/jobs/'));
    const jobId = new URL(page.url()).pathname.split('/').pop();
    const badge = page.getByTestId('job-status').first();
    await jobEnded(page, jobId);
    const status = await badge.getAttribute('data-status');
    const job = (await api(page, 'GET', `/api/v1/jobs/${jobId}`)).body;
    assert(status === 'succeeded', `stats ended ${status}: ${JSON.stringify(job.result ?? job.error_message)}`);
    const figures = job.result?.stats;
    assert(figures && figures.snapshots >= 1 && figures.raw_size > 0 && figures.restore_size > 0, `stats: ${JSON.stringify(figures)}`);

    await page.goBack();
    await page.waitForURL((url) => url.pathname.startsWith('/repositories/'));
    const snapshots = page.getByTestId('stats-snapshots');
    await snapshots.waitFor({ timeout: 20_000 });
    assert(((await snapshots.textContent()) ?? '').trim() === figures.snapshots.toLocaleString('en-US'), `snapshots shown: ${await snapshots.textContent()}`);
    const dedup = ((await page.getByTestId('stats-dedup').textContent()) ?? '').trim();
    assert(dedup === `${figures.dedup_ratio.toFixed(2)}×`, `dedup shown: ${dedup}, stored ${figures.dedup_ratio}`);
    await page.locator('[data-testid="last-stats"][data-status="succeeded"]').waitFor();
    await page.locator(`[data-testid="maintenance-row"][data-kind="stats"]`).first().waitFor();
    await shot(page, 'repository-page');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'repository-page-dark');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    await page.setViewportSize({ width: 375, height: 812 });
    await snapshots.waitFor();
    const { overflow, culprits } = await sidewaysOverflow(page);
    await shot(page, 'repository-page-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    assert(overflow <= 1, `the repository page scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
  });

  await check('repositories: an admin rotates the key; the old key goes once the host has the new password', async () => {
    const repoId = host.repository_ids[0];
    await page.goto(`${base}/repositories/${repoId}`);
    const section = page.getByTestId('repository-key-rotation');
    await section.waitFor();
    const button = section.getByRole('button', { name: 'Rotate key' });
    await page.waitForFunction(() => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Rotate key' && !b.disabled));
    await button.click();
    await page.waitForURL((url) => url.pathname.startsWith('/jobs/'));
    const addId = new URL(page.url()).pathname.split('/').pop();
    await jobEnded(page, addId);
    const add = (await api(page, 'GET', `/api/v1/jobs/${addId}`)).body;
    assert(add.kind === 'key_add' && add.status === 'succeeded', `key_add: ${add.status} ${add.error_class} ${add.error_message}`);
    assert(add.result?.keys?.old_key_id && add.result.keys.new_key_id && add.result.keys.old_key_id !== add.result.keys.new_key_id, `keys: ${JSON.stringify(add.result?.keys)}`);
    await shot(page, 'key-rotation-job');
    // The agent takes the new password at its next poll; the sweep (every 30 s) then removes the old key.
    const t0 = Date.now();
    let repo = null;
    while (Date.now() - t0 < 90_000) {
      repo = (await api(page, 'GET', `/api/v1/repositories/${repoId}`)).body;
      if (!repo.key_rotation) break;
      await page.waitForTimeout(2_000);
    }
    assert(!repo.key_rotation, `the rotation did not end: ${JSON.stringify(repo.key_rotation)}`);
    const removed = (await api(page, 'GET', `/api/v1/jobs?kind=key_remove&repository_id=${repoId}`)).body.items[0];
    assert(removed?.status === 'succeeded', `key_remove: ${JSON.stringify(removed)}`);
    // Backups go on with the new password.
    const list = (await listViaApi()).items.find((x) => x.id === scheduleId);
    const run = await api(page, 'POST', `/api/v1/schedules/${list.id}/run`, {});
    assert(run.status === 202, `run now: ${run.status} ${JSON.stringify(run.body)}`);
    const t1 = Date.now();
    let job = run.body;
    while (Date.now() - t1 < RUN_TIMEOUT && !FINAL.includes(job.status)) {
      await page.waitForTimeout(1_000);
      job = (await api(page, 'GET', `/api/v1/jobs/${run.body.id}`)).body;
    }
    assert(job.status === 'succeeded', `a backup after the rotation ended ${job.status}: ${job.error_class} ${job.error_message}`);
    await page.goto(`${base}/repositories/${repoId}`);
    await page.locator('[data-testid="maintenance-row"][data-kind="key_remove"]').first().waitFor();
    await shot(page, 'repository-key-rotated');
  });

  let mirrorId = '';

  await check('copies: Copy to mirror copies the repository into a second one; the job and the repository page say it is up to date', async () => {
    const repoId = host.repository_ids[0];
    // The mirror: a second restic repository, linked to the host and initialized through it.
    const mirrorUrl = path.join(await scratchDir('cairn-e2e-mirror-'), 'repo');
    const created = await api(page, 'POST', '/api/v1/repositories', { name: MIRROR, url: mirrorUrl, password: 'e2e-mirror-password', env: {} });
    assert(created.status === 201, `create the mirror: ${created.status} ${JSON.stringify(created.body)}`);
    mirrorId = created.body.id;
    const linked = await api(page, 'PUT', `/api/v1/hosts/${hostId}/repositories`, { repository_ids: [repoId, mirrorId] });
    assert(linked.status === 200, `link the mirror: ${linked.status} ${JSON.stringify(linked.body)}`);
    await waitFor(
      'the agent to apply the config with the mirror',
      async () => {
        const h = (await api(page, 'GET', `/api/v1/hosts/${hostId}`)).body;
        return h.repository_ids.length === 2 && h.applied_config_version === h.config_version;
      },
      40_000,
      500,
    );
    const init = await api(page, 'POST', `/api/v1/repositories/${mirrorId}/init`, { host_id: hostId });
    assert(init.status === 202, `init the mirror: ${init.status} ${JSON.stringify(init.body)}`);
    let initJob = init.body;
    await waitFor('the mirror’s init to end', async () => FINAL.includes((initJob = (await api(page, 'GET', `/api/v1/jobs/${init.body.id}`)).body).status), RUN_TIMEOUT, 500);
    assert(initJob.status === 'succeeded', `init ended ${initJob.status}: ${initJob.error_class} ${initJob.error_message}`);

    await page.goto(`${base}/repositories/${repoId}`);
    const copies = page.getByTestId('repository-copies');
    await copies.getByTestId('copies-empty').waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Copy to mirror…' && !b.disabled));
    await copies.getByRole('button', { name: 'Copy to mirror…' }).click();
    const dialog = page.getByRole('dialog', { name: `Copy to mirror: ${repoName}` });
    await dialog.getByRole('form', { name: 'Copy to mirror' }).waitFor();
    const hostField = dialog.getByRole('combobox', { name: /^Host/ });
    if (!(await hostField.inputValue())) {
      await hostField.click();
      await page.getByRole('option', { name: host.hostname, exact: true }).click();
    }
    // The host has one other repository linked: it is offered first.
    const mirrorField = dialog.getByRole('combobox', { name: /^Mirror/ });
    await page.waitForFunction((name) => document.querySelector('[role="dialog"] input[data-path="mirrorId"]')?.value === name, MIRROR, { timeout: 10_000 });
    assert((await mirrorField.inputValue()) === MIRROR, `mirror field: ${await mirrorField.inputValue()}`);
    await shot(page, 'copy-to-mirror', { fullPage: false });
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'copy-to-mirror-dark', { fullPage: false });
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    await dialog.getByRole('button', { name: 'Start copy' }).click();
    await page.waitForURL((url) => /^\/jobs\/[0-9a-f-]{36}$/.test(url.pathname), { timeout: 15_000 });
    const jobId = new URL(page.url()).pathname.split('/').pop();
    await jobEnded(page, jobId);
    const job = (await api(page, 'GET', `/api/v1/jobs/${jobId}`)).body;
    assert(job.kind === 'copy' && job.repository_id === mirrorId && job.status === 'succeeded', `copy: ${job.kind} into ${job.repository_id}, ${job.status}: ${job.error_class} ${job.error_message}`);
    const report = job.result?.copy;
    assert(report && report.copied >= 1 && report.missing === 0 && report.source_snapshots === report.copied, `copy report: ${JSON.stringify(report)}`);
    const card = page.getByTestId('job-copy-report');
    await card.waitFor();
    assert(((await card.getByTestId('copy-copied').textContent()) ?? '').trim() === report.copied.toLocaleString('en-US'), `copied shown: ${await card.getByTestId('copy-copied').textContent()}`);
    assert(((await card.getByTestId('copy-verdict').textContent()) ?? '').includes('The mirror holds all'), `verdict: ${await card.getByTestId('copy-verdict').textContent()}`);
    await shot(page, 'copy-job');

    await page.goto(`${base}/repositories/${repoId}`);
    const pair = copies.locator(`[data-testid="copy-pair"][data-source="${repoId}"][data-mirror="${mirrorId}"]`);
    await pair.waitFor({ timeout: 20_000 });
    const listed = (await api(page, 'GET', `/api/v1/repositories/${repoId}/copies`)).body.items;
    assert(listed.length === 1 && listed[0].behind_seconds === 0 && listed[0].missing === 0, `copies: ${JSON.stringify(listed)}`);
    assert((await pair.getByTestId('copy-staleness').getAttribute('data-level')) === 'current', `staleness: ${await pair.getByTestId('copy-staleness').textContent()}`);
    assert(((await pair.getByTestId('copy-staleness').textContent()) ?? '') === 'up to date', 'staleness label');
    assert((await pair.getByTestId('copy-last-job').getAttribute('href')) === `/jobs/${jobId}`, 'the pair does not link its copy job');
    assert(((await pair.getByTestId('copy-host').textContent()) ?? '') === 'all hosts', 'host scope');
    await pair.scrollIntoViewIfNeeded();
    await shot(page, 'repository-copies');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'repository-copies-dark');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      await pair.waitFor();
      const { overflow, culprits } = await sidewaysOverflow(page);
      await shot(page, 'repository-copies-phone');
      assert(overflow <= 1, `the repository page scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  await check('copies: a schedule’s “Copy to a mirror” is saved as copy_to and shown on the row, then set back to None', async () => {
    await page.goto(`${base}/hosts/${hostId}?tab=schedules`);
    const r = row(NAME);
    await r.waitFor();
    const choose = async (option) => {
      await r.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: `Edit ${NAME}` });
      const field = edit.getByRole('combobox', { name: /^Copy to a mirror/ });
      await field.click();
      await page.getByRole('option', { name: option, exact: true }).click();
      assert((await field.inputValue()) === option, `copy to: ${await field.inputValue()}`);
      await edit.getByRole('button', { name: 'Save schedule' }).click();
      await edit.waitFor({ state: 'hidden' });
    };
    await choose(MIRROR);
    await r.getByTestId('schedule-copy-to').filter({ hasText: MIRROR }).waitFor();
    let saved = (await listViaApi()).items.find((x) => x.id === scheduleId);
    assert(saved.copy_to === mirrorId, `stored copy_to: ${saved.copy_to}`);
    await shot(page, 'schedules-copy-to');
    await choose('None');
    await r.getByTestId('schedule-copy-to').waitFor({ state: 'detached' });
    saved = (await listViaApi()).items.find((x) => x.id === scheduleId);
    assert(saved.copy_to === undefined, `copy_to still stored: ${saved.copy_to}`);
    // Back to the one linked repository the later specs expect.
    const unlinked = await api(page, 'PUT', `/api/v1/hosts/${hostId}/repositories`, { repository_ids: [host.repository_ids[0]] });
    assert(unlinked.status === 200, `unlink the mirror: ${unlinked.status} ${JSON.stringify(unlinked.body)}`);
    await waitFor(
      'the agent to apply the config without the mirror',
      async () => {
        const h = (await api(page, 'GET', `/api/v1/hosts/${hostId}`)).body;
        return h.repository_ids.length === 1 && h.applied_config_version === h.config_version;
      },
      40_000,
      500,
    );
  });

  await check('repository care: a weekly check is scheduled from the repository page (preset, subset, the sentence and next fire), then removed', async () => {
    const repoId = host.repository_ids[0];
    await page.goto(`${base}/repositories/${repoId}`);
    const card = page.getByTestId('repository-check-schedule');
    await card.getByTestId('check-schedule-empty').waitFor();
    await card.getByRole('button', { name: 'Schedule a check' }).click();
    const form = card.getByRole('form', { name: 'Check schedule' });
    const cron = form.getByRole('textbox', { name: /^Cron expression/ });
    assert((await cron.inputValue()) === '0 4 * * 0', `the weekly preset is not the default: ${await cron.inputValue()}`);
    await form.getByTestId('check-cron-sentence').waitFor();
    await form.getByRole('textbox', { name: /^Read data subset/ }).fill('5%');
    await form.getByRole('button', { name: 'Save schedule' }).click();
    await card.getByTestId('check-schedule-sentence').waitFor();
    const repo = (await api(page, 'GET', `/api/v1/repositories/${repoId}`)).body;
    const cs = repo.check_schedule;
    assert(cs?.cron === '0 4 * * 0' && cs.read_data_subset === '5%', `stored check schedule: ${JSON.stringify(cs)}`);
    const next = new Date(cs.next_at).getTime();
    assert(next > Date.now() && next < Date.now() + 8 * 86_400_000, `next check: ${cs.next_at}`);
    const sentence = (await card.getByTestId('check-schedule-sentence').textContent()) ?? '';
    assert(sentence.includes('5%') || sentence.includes('5 %'), `the sentence does not say the subset: ${sentence}`);
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'repository-check-schedule');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'repository-check-schedule-dark');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
    await card.getByRole('button', { name: 'Remove schedule' }).click();
    await card.getByTestId('check-schedule-empty').waitFor();
    const after = (await api(page, 'GET', `/api/v1/repositories/${repoId}`)).body;
    assert(after.check_schedule === undefined, `the check schedule is still stored: ${JSON.stringify(after.check_schedule)}`);
  });

  await check('repository care: Check locks reads the repository’s locks through the host’s agent: not locked', async () => {
    const repoId = host.repository_ids[0];
    await page.goto(`${base}/repositories/${repoId}`);
    const card = page.getByTestId('repository-locks');
    await card.getByTestId('locks-idle').waitFor();
    await card.getByRole('button', { name: 'Check locks' }).click();
    await card.getByTestId('locks-none').waitFor({ timeout: 30_000 });
    const text = (await card.getByTestId('locks-none').textContent()) ?? '';
    assert(text.includes('Not locked') && text.includes(host.hostname), `locks: ${text}`);
    const read = (await api(page, 'GET', `/api/v1/repositories/${repoId}/locks`)).body;
    assert(read.via_host_id === hostId && Array.isArray(read.locks) && read.locks.length === 0, `locks via the API: ${JSON.stringify(read)}`);
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'repository-locks');
  });

  await check('host hooks: an admin sets a default pre-hook on the Schedules tab; the schedule’s next run runs it; then it is removed', async () => {
    const out = path.join(await scratchDir('cairn-e2e-host-hook-'), 'pre.txt');
    await page.goto(`${base}/hosts/${hostId}?tab=schedules`);
    const panel = page.getByTestId('host-hooks-panel');
    await panel.getByTestId('host-hooks-toggle').click();
    const form = panel.getByRole('form', { name: `Default hooks of ${host.hostname}` });
    await form.getByRole('textbox', { name: /^Pre-hook command/ }).fill(`echo "default pre for $CAIRN_SCHEDULE_NAME" > ${out}`);
    await form.getByRole('button', { name: 'Save default hooks' }).click();
    await waitFor('the default hooks to be stored', async () => (await api(page, 'GET', `/api/v1/hosts/${hostId}/hooks`)).body?.pre?.command?.includes(out), 10_000, 250);
    await panel.scrollIntoViewIfNeeded();
    await shot(page, 'host-default-hooks');
    await waitFor(
      'the agent to apply the config with the default hooks',
      async () => {
        const h = (await api(page, 'GET', `/api/v1/hosts/${hostId}`)).body;
        return h.applied_config_version === h.config_version;
      },
      40_000,
      500,
    );
    const run = await api(page, 'POST', `/api/v1/schedules/${scheduleId}/run`, {});
    assert(run.status === 202, `run now: ${run.status} ${JSON.stringify(run.body)}`);
    let job = run.body;
    await waitFor('the run to end', async () => FINAL.includes((job = (await api(page, 'GET', `/api/v1/jobs/${run.body.id}`)).body).status), RUN_TIMEOUT, 1_000);
    assert(job.status === 'succeeded' || job.status === 'warning', `the run ended ${job.status}: ${job.error_class} ${job.error_message}`);
    const { readFile } = await import('node:fs/promises');
    const written = (await readFile(out, 'utf8')).trim();
    assert(written === `default pre for ${NAME}`, `the host's pre-hook wrote: ${written}`);
    await form.getByRole('button', { name: 'Remove default hooks' }).click();
    await waitFor('the default hooks to be removed', async () => JSON.stringify((await api(page, 'GET', `/api/v1/hosts/${hostId}/hooks`)).body) === '{}', 10_000, 250);
  });

  Object.assign(state, { scheduleId });
}

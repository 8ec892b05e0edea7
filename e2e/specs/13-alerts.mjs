// Alerts and their email, on the host 08 linked (its agent running): the admin adds an email
// channel on the channels page (a real SMTP server, Debian's aiosmtpd, started here) and
// "Send test" says it was delivered and the message arrives; a backup of a path that does not
// exist fails on the real agent, the alert shows in the list with the navigation's badge and
// its email arrives; the admin acknowledges it in the list; the next backup succeeds and the
// alert resolves by itself (its timeline says Cairn did it) and a "Resolved" email arrives;
// the rules page lists every rule with its ranges and saves a threshold; a backup far
// above its baseline raises "unusual change", drawn against the usual.
// Light, dark and phone width. Expects the admin signed in at 1280×800, light, and
// state.linkedHostId; leaves the same.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_NAME, api, assert, check, freePort, scratchDir, shot, sidewaysOverflow, sleep, waitFor } from '../harness/index.mjs';

const TIMEOUT = 120_000;
const FINAL = ['succeeded', 'warning', 'failed', 'cancelled', 'lost', 'blocked'];

export const title = 'alerts: an email channel, a failed backup alerted and emailed, acknowledged, resolved by the next backup';

/** The messages aiosmtpd has written into `dir/new`, oldest first. */
async function mails(dir) {
  const files = await readdir(path.join(dir, 'new')).catch(() => []);
  const out = [];
  for (const f of files.sort()) out.push(await readFile(path.join(dir, 'new', f), 'utf8'));
  return out;
}

export async function run({ page, base, state }) {
  const hostId = state.linkedHostId;
  const maildir = path.join(await scratchDir('cairn-e2e-mail-'), 'mail');
  const smtpPort = await freePort();
  const smtp = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${smtpPort}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: 'ignore' });
  let repoId = '';
  let alertId = '';
  /** Starts a backup of `paths` on the host and waits for its end. */
  const backup = async (paths) => {
    const job = (await api(page, 'POST', `/api/v1/hosts/${hostId}/backups`, { repository_id: repoId, paths })).body;
    assert(job?.id, `backup refused: ${JSON.stringify(job)}`);
    let done = null;
    await waitFor('the backup to end', async () => {
      done = (await api(page, 'GET', `/api/v1/jobs/${job.id}`)).body;
      return FINAL.includes(done.status);
    }, TIMEOUT);
    return done;
  };
  try {
    await check('alerts: the channels page adds an email channel; “Send test” says it was delivered and the mail arrives', async () => {
      const repos = (await api(page, 'GET', '/api/v1/repositories')).body.items;
      repoId = repos.find((r) => r.name === REPO_NAME)?.id ?? '';
      assert(repoId, `repository ${REPO_NAME} not listed`);
      await waitFor('aiosmtpd to listen', async () => {
        const ok = await new Promise((resolve) => {
          const s = net.connect(smtpPort, '127.0.0.1', () => { s.destroy(); resolve(true); });
          s.on('error', () => resolve(false));
        });
        return ok;
      }, 15_000);
      await page.goto(`${base}/alerts`);
      await page.getByTestId('alert-channels-link').click();
      await page.getByTestId('channels-page').waitFor();
      await shot(page, 'alert-channels-empty', { fullPage: false });
      await page.getByTestId('channel-add').click();
      const form = page.getByTestId('channel-form');
      await form.waitFor();
      await form.getByLabel(/^Name/).fill('ops mail');
      await form.getByText('Email', { exact: true }).click();
      await form.getByLabel('SMTP server').fill('127.0.0.1');
      await form.getByLabel(/^Port/).fill(String(smtpPort));
      await form.getByLabel(/^Security/).click();
      await page.getByRole('option', { name: /none/i }).click();
      await form.getByLabel(/^From/).fill('cairn@example.com');
      const to = form.getByLabel('Recipients');
      await to.fill('ops@example.com');
      await to.press('Enter');
      await shot(page, 'alert-channel-form', { fullPage: false });
      await page.getByTestId('channel-save').click();
      const row = page.getByTestId('channel-row').filter({ hasText: 'ops mail' });
      await row.waitFor();
      await row.getByTestId('channel-test').click();
      const result = row.getByTestId('channel-test-result');
      await result.waitFor({ timeout: 30_000 });
      assert((await result.getAttribute('data-delivered')) === 'true', `test result: ${await result.textContent()}`);
      await waitFor('the test mail', async () => (await mails(maildir)).length >= 1, 15_000);
      const m = (await mails(maildir))[0];
      assert(/Subject: \[Cairn\] Test:/.test(m) && m.includes('To: ops@example.com'), `test mail: ${m.slice(0, 400)}`);
      await shot(page, 'alert-channels', { fullPage: false });
    });

    await check('alerts: a backup of a missing path fails on the agent; its alert shows with the badge, and its email arrives', async () => {
      const job = await backup(['/nonexistent/cairn-e2e-alert-source']);
      // The agent's preflight stops a backup of a missing path before restic runs: blocked.
      assert(['failed', 'blocked'].includes(job.status), `the backup ended ${job.status}`);
      await page.goto(`${base}/alerts`);
      const row = page.locator('[data-testid="alert-row"][data-state="open"]').filter({ hasText: 'Backup failed' });
      await row.first().waitFor({ timeout: 30_000 });
      alertId = (await row.first().getAttribute('data-alert-id')) ?? '';
      assert(alertId, 'the alert row has its id');
      const badge = page.getByTestId('alerts-badge');
      await waitFor('the open count in the navigation', async () => Number((await badge.first().getAttribute('data-value')) ?? '0') >= 1, 20_000);
      await waitFor('the alert mail', async () => (await mails(maildir)).some((x) => /Subject: \[Cairn\] ERROR: Backup failed/.test(x)), 20_000);
      await shot(page, 'alerts', { fullPage: false });
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
      await shot(page, 'alerts-dark', { fullPage: false });
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
      await page.setViewportSize({ width: 390, height: 844 });
      await row.first().waitFor();
      const { overflow, culprits } = await sidewaysOverflow(page);
      assert(overflow <= 1, `the alerts page scrolls sideways at phone width by ${overflow}px: ${culprits.join('; ')}`);
      await shot(page, 'alerts-phone', { fullPage: false });
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    await check('alerts: “Acknowledge” in the list marks it acknowledged', async () => {
      const row = page.locator(`[data-testid="alert-row"][data-alert-id="${alertId}"]`);
      await row.waitFor();
      await row.getByTestId('alert-ack').click();
      await page.locator(`[data-testid="alert-row"][data-alert-id="${alertId}"][data-state="acknowledged"]`).waitFor({ timeout: 15_000 });
      const a = (await api(page, 'GET', `/api/v1/alerts/${alertId}`)).body.alert;
      assert(a.state === 'acknowledged' && a.acknowledged_by === 'admin', `alert: ${JSON.stringify(a)}`);
    });

    await check('alerts: the next backup succeeds and the alert resolves by itself; its timeline says Cairn did it; “Resolved” is emailed', async () => {
      const dir = await scratchDir('cairn-e2e-alert-ok-');
      await writeFile(path.join(dir, 'ok.txt'), 'fine\n');
      const job = await backup([dir]);
      assert(job.status === 'succeeded', `the backup ended ${job.status}`);
      await page.goto(`${base}/alerts/${alertId}`);
      await page.getByTestId('alert-detail').waitFor();
      await waitFor('the alert resolved', async () => ((await page.getByTestId('alert-state').first().textContent()) ?? '').toLowerCase().includes('resolved'), 20_000);
      const events = page.getByTestId('alert-event');
      await waitFor('the resolve event', async () => (await events.count()) >= 3, 15_000);
      const actors = await page.getByTestId('alert-event-actor').allTextContents();
      assert(actors.some((a) => a.includes('Cairn')) && actors.some((a) => a.includes('admin')), `actors: ${actors}`);
      await waitFor('the resolved mail', async () => (await mails(maildir)).some((x) => /Subject: \[Cairn\] Resolved: Backup failed/.test(x)), 20_000);
      await shot(page, 'alert-detail');
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('alert-detail').waitFor();
      await shot(page, 'alert-detail-phone');
      await page.setViewportSize({ width: 1280, height: 800 });
      const sum = (await api(page, 'GET', '/api/v1/alerts/summary')).body;
      assert(typeof sum.open === 'number', `summary: ${JSON.stringify(sum)}`);
    });

    await check('alerts: the rules page lists every rule with its thresholds and ranges; “Nothing ran” takes a new grace, the API agrees; a grace out of range is refused before sending', async () => {
      await page.goto(`${base}/alerts/rules`);
      const rules = (await api(page, 'GET', '/api/v1/alert-rules')).body;
      assert(Array.isArray(rules) && rules.length >= 17, `rules: ${rules?.length}`);
      for (const r of rules) await page.getByTestId(`rules-form-${r.rule}`).waitFor();
      const form = page.getByTestId('rules-form-nothing_ran');
      await form.getByText('From 5 to 10,080 (default 60)').waitFor();
      const grace = form.getByRole('textbox', { name: 'Grace (minutes)' });
      await grace.fill('2');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.getByTestId('rule-params-error').waitFor();
      await grace.fill('90');
      await form.getByRole('button', { name: 'Save' }).click();
      await waitFor('the rule saved', async () => {
        const r = (await api(page, 'GET', '/api/v1/alert-rules')).body.find((x) => x.rule === 'nothing_ran');
        return r.params.grace_minutes === 90 && r.customised === true;
      }, 10_000);
      await form.scrollIntoViewIfNeeded();
      await shot(page, 'alert-rules', { fullPage: false });
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
      await shot(page, 'alert-rules-dark', { fullPage: false });
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
      // Back to the default, so later specs see the shipped settings.
      const back = await api(page, 'PUT', '/api/v1/alert-rules/nothing_ran', { enabled: true, severity: 'error', params: { grace_minutes: 60 } });
      assert(back.status === 200, `reset: ${JSON.stringify(back)}`);
    });

    await check('alerts: a backup far above its baseline raises “Unusual change” through the real agent and restic; the alert draws this backup against the usual; the next usual backup resolves it', async () => {
      // A baseline of 5 runs and low floors, so a 3 MiB file is "far above" a directory that
      // usually adds nothing (the shipped floors are 100 MiB and 1,000 files).
      const set = await api(page, 'PUT', '/api/v1/alert-rules/unusual_change', { enabled: true, severity: 'warning', params: { factor: 2, runs: 5, min_mib: 1, min_files: 1 } });
      assert(set.status === 200, `rule: ${JSON.stringify(set)}`);
      const dir = await scratchDir('cairn-e2e-unusual-');
      await writeFile(path.join(dir, 'usual.txt'), 'the same every night\n');
      for (let i = 0; i < 6; i += 1) {
        const job = await backup([dir]);
        assert(job.status === 'succeeded', `baseline backup ${i} ended ${job.status}`);
      }
      let open = (await api(page, 'GET', `/api/v1/alerts?rule=unusual_change&state=open`)).body.items;
      assert(open.length === 0, `usual runs raised: ${JSON.stringify(open)}`);
      await writeFile(path.join(dir, 'encrypted.bin'), randomBytes(3 * 1024 * 1024));
      const big = await backup([dir]);
      assert(big.status === 'succeeded', `the big backup ended ${big.status}`);
      open = (await api(page, 'GET', `/api/v1/alerts?rule=unusual_change&state=open`)).body.items;
      assert(open.length === 1 && open[0].job_id === big.id, `unusual: ${JSON.stringify(open)}`);
      await page.goto(`${base}/alerts/${open[0].id}`);
      const chart = page.getByTestId('alert-baseline');
      await chart.waitFor();
      assert((await page.getByTestId('baseline-bytes').getAttribute('data-unusual')) === 'true', 'bytes not marked unusual');
      const text = (await page.getByTestId('baseline-bytes').textContent()) ?? '';
      assert(/3\.\d+ MiB · usually /.test(text), `bytes: ${text}`);
      await shot(page, 'alert-unusual-change');
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
      await shot(page, 'alert-unusual-change-dark', { fullPage: false });
      await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));
      const usual = await backup([dir]);
      assert(usual.status === 'succeeded', `the next backup ended ${usual.status}`);
      await waitFor('the alert resolved', async () => (await api(page, 'GET', `/api/v1/alerts/${open[0].id}`)).body.alert.state === 'resolved', 15_000);
      const back = await api(page, 'PUT', '/api/v1/alert-rules/unusual_change', { enabled: true, severity: 'warning' });
      assert(back.status === 200, `reset: ${JSON.stringify(back)}`);
    });
  } finally {
    smtp.kill();
    await sleep(100);
  }
}

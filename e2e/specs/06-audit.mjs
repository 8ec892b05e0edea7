// The audit log: admin signs back in; the events the earlier specs caused (setup, two users
// created, sign-ins, the viewer's access.denied), a row's details, the outcome filter, a text
// filter on the actor and an empty time range, CSV export, the chain check; then dark mode
// surviving a reload, and the not-found page.
import { ADMIN, VIEWER, assert, check, shot, signIn, signOut, waitForPath } from '../harness/index.mjs';

export const title = 'audit log';

export async function run({ page, base }) {
  await check('admin signs back in and opens the audit log', async () => {
    await signOut(page);
    await signIn(page, base, ADMIN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await waitForPath(page, '/audit');
    await page.getByTestId('audit-row').first().waitFor();
  });

  const rows = async () =>
    page.getByTestId('audit-row').evaluateAll((els) =>
      els.map((el) => ({ action: el.dataset.action, outcome: el.dataset.outcome, actor: el.dataset.actor })),
    );

  await check('audit shows setup.complete, two user.create, auth.login and the viewer’s access.denied', async () => {
    const events = await rows();
    const count = (pred) => events.filter(pred).length;
    const summary = events.map((e) => `${e.action}/${e.outcome}/${e.actor}`).join(', ');
    assert(count((e) => e.action === 'setup.complete') === 1, `setup.complete missing: ${summary}`);
    assert(count((e) => e.action === 'user.create' && e.outcome === 'success') >= 2, `user.create x2 missing: ${summary}`);
    assert(count((e) => e.action === 'auth.login' && e.outcome === 'success') >= 2, `auth.login missing: ${summary}`);
    assert(
      count((e) => e.action === 'access.denied' && e.outcome === 'denied' && e.actor === VIEWER.username) >= 1,
      `access.denied by ${VIEWER.username} missing: ${summary}`,
    );
    await shot(page, 'audit');
  });

  await check('an audit row opens its details', async () => {
    await page.locator('[data-testid="audit-row"][data-action="access.denied"]').first().click();
    const drawer = page.getByRole('dialog');
    await drawer.getByTestId('audit-details-json').waitFor();
    const text = await drawer.textContent();
    assert(text?.includes('access.denied') && text.includes(VIEWER.username), `drawer: ${text?.slice(0, 200)}`);
    await shot(page, 'audit-drawer');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
  });

  await check('filtering by outcome narrows the list', async () => {
    await page.getByRole('combobox', { name: 'Outcome' }).click();
    await page.getByRole('option', { name: 'Denied' }).click();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => {
      const outcomes = [...document.querySelectorAll('[data-testid="audit-row"]')].map((el) => el.dataset.outcome);
      return outcomes.length > 0 && outcomes.every((o) => o === 'denied');
    });
    const events = await rows();
    assert(events.length >= 1 && events.every((e) => e.outcome === 'denied'), `rows: ${JSON.stringify(events)}`);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="audit-row"]')].some((el) => el.dataset.outcome === 'success'),
    );
  });

  await check('a text filter on the actor and an empty time range', async () => {
    await page.getByRole('textbox', { name: 'Actor', exact: true }).fill(VIEWER.username.slice(0, -1).toUpperCase());
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction((name) => {
      const actors = [...document.querySelectorAll('[data-testid="audit-row"]')].map((el) => el.dataset.actor);
      return actors.length > 0 && actors.every((a) => a === name);
    }, VIEWER.username);
    const events = await rows();
    assert(events.every((e) => e.actor === VIEWER.username), `rows: ${JSON.stringify(events)}`);
    const count = await page.getByTestId('audit-count').textContent();
    assert(count?.includes(`Showing ${events.length} `), `count line: ${count}`);
    await shot(page, 'audit-actor-filter');
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('textbox', { name: 'From', exact: true }).fill('2000-01-01T00:00');
    await page.getByRole('textbox', { name: 'To', exact: true }).fill('2000-01-02T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Widen the time range or clear a filter.').waitFor();
    assert((await page.getByTestId('audit-row').count()) === 0, 'rows shown for the year 2000');
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByTestId('audit-row').first().waitFor();
  });

  await check('CSV export downloads the events', async () => {
    const res = await page.evaluate(async () => {
      const r = await fetch('/api/v1/audit/export?format=csv');
      return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), text: await r.text() };
    });
    assert(res.status === 200, `status ${res.status}: ${res.text.slice(0, 200)}`);
    assert(res.type?.includes('csv'), `content-type ${res.type}`);
    assert(res.disposition?.includes('attachment'), `content-disposition ${res.disposition}`);
    assert(res.text.includes('user.create'), 'CSV lacks user.create');
  });

  await check('verify chain reports an intact chain', async () => {
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    const ok = await result.getAttribute('data-ok');
    const text = await result.textContent();
    assert(ok === 'true', `verification: ${text}`);
    assert(/Chain intact: \d+ events checked/.test(text ?? ''), `verification text: ${text}`);
  });

  await check('dark mode toggles and survives a reload', async () => {
    await page.getByTestId('color-scheme-toggle').click();
    await page.waitForFunction(() => document.documentElement.getAttribute('data-mantine-color-scheme') === 'dark');
    await shot(page, 'audit-dark');
    await page.reload();
    await page.getByTestId('audit-row').first().waitFor();
    const scheme = await page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
    assert(scheme === 'dark', `after reload the scheme is ${scheme}`);
    await page.getByTestId('color-scheme-toggle').click();
  });

  await check('an unknown address shows the not-found page', async () => {
    await page.goto(`${base}/no/such/page`);
    await page.getByText('Page not found').waitFor();
  });
}

// The fleet with real agents: the install command (its --pin is the certificate the server
// presents) enrolls the token host, whose agent keeps running; an announcing agent's
// fingerprint matches the pending panel and accepting it lets the agent finish; tests sent to
// all hosts and to a tag, the status filter, the host page linking the repository (the agent
// applies the config), the home tiles, phone width. Leaves state.tokenHostId,
// state.announceHostId and state.linkedHostId, with both agents running.
import { ANNOUNCE_HOST, REPO_NAME, TLS, TOKEN_HOST, agentArgs, agents, api, argAfter, assert, assertNoReload, check, hostsViaApi, markDocument, nav, presentedFingerprint, runAgent, scratchDir, shot, sleep, spawnAgent, waitFor, waitForPath } from '../harness/index.mjs';

export const title = 'hosts: enrollment, tests, filters, detail';

export async function run({ page, base, state }) {
  let tokenHostId = '';
  let server = '';
  let enrollArgs = [];
  let announceArgs = [];
  await check('(b) Add host shows an install command and waits for the agent', async () => {
    await nav(page, 'Hosts');
    await waitForPath(page, '/hosts');
    await markDocument(page);
    await page.getByRole('button', { name: 'Add host' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add host' });
    await dialog.waitFor();
    await dialog.getByRole('combobox', { name: 'Tags' }).fill('e2e');
    await dialog.getByRole('combobox', { name: 'Tags' }).press('Enter');
    await dialog.getByRole('button', { name: 'Create install command' }).click();
    const command = (await dialog.getByTestId('install-command').textContent())?.trim() ?? '';
    enrollArgs = agentArgs(command);
    server = argAfter(enrollArgs, '--server');
    const token = argAfter(enrollArgs, '--token');
    const pin = argAfter(enrollArgs, '--pin');
    assert(enrollArgs[0] === 'enroll' && server.startsWith(TLS ? 'https://' : 'http://') && token.length > 10, `install command: ${command}`);
    await dialog.getByTestId('add-host-waiting').waitFor();
    const announce = (await dialog.getByTestId('announce-command').textContent())?.trim() ?? '';
    announceArgs = agentArgs(announce);
    const certificate = dialog.getByTestId('server-certificate');
    if (TLS) {
      assert(/^SHA256:[A-Za-z0-9+/]{43}$/.test(pin), `install command without a proper --pin: ${command}`);
      assert(announce === `cairn-agent enroll --server ${server} --announce --pin ${pin}`, `announce command: ${announce}`);
      // The block shows the pin of the commands, and its hex form is the certificate the
      // server really presents (what a browser's certificate viewer would show).
      const shownPin = (await certificate.getByTestId('server-fingerprint').textContent())?.trim();
      const shownHex = (await certificate.getByTestId('server-fingerprint-hex').textContent())?.trim();
      assert(shownPin === pin, `the certificate block shows ${shownPin}, the command pins ${pin}`);
      const presented = await presentedFingerprint(server);
      assert(shownHex === presented, `the page shows ${shownHex}, the server presents ${presented}`);
      assert(Buffer.from(presented.replaceAll(':', ''), 'hex').toString('base64').replace(/=+$/, '') === pin.slice('SHA256:'.length), 'the pin is not the presented certificate');
      assert((await certificate.textContent())?.includes('The agent will only trust this certificate (--pin).'), 'no explanation of the pin');
    } else {
      assert(!pin && !command.includes('--pin'), `a pin on plain HTTP: ${command}`);
      assert(announce === `cairn-agent enroll --server ${server} --announce`, `announce command: ${announce}`);
      assert((await certificate.count()) === 0, 'a certificate block on plain HTTP');
    }
    assert((await dialog.getByTestId('add-host-waiting').textContent())?.includes('Waiting for the agent'), 'no waiting state');
    await shot(page, 'add-host-command');
    // The same dialog on a phone (full screen) and in dark mode.
    await page.setViewportSize({ width: 390, height: 844 });
    await dialog.getByTestId('install-command').waitFor();
    await shot(page, 'add-host-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'dark'));
    await shot(page, 'add-host-dark');
    await page.evaluate(() => document.documentElement.setAttribute('data-mantine-color-scheme', 'light'));

    const stateDir = await scratchDir('cairn-e2e-agent-');
    const env = { CAIRN_AGENT_HOSTNAME: TOKEN_HOST };
    await shot(page, 'add-host-waiting');
    // Exactly the command the page shows (with its --pin over TLS), plus a state dir.
    const enroll = await runAgent([...enrollArgs, '--state-dir', stateDir], env);
    assert(enroll.code === 0, `cairn-agent enroll exited ${enroll.code}:\n${enroll.out.trim()}`);
    spawnAgent('agent-token-run', ['run', '--state-dir', stateDir], env);

    const done = dialog.getByTestId('add-host-done');
    await done.waitFor({ timeout: 20_000 });
    const doneText = await done.textContent();
    assert(doneText?.includes(`${TOKEN_HOST} enrolled`), `success state: ${doneText}`);
    assert(/SHA256:/.test(doneText), `no fingerprint in the success state: ${doneText}`);
    const href = await done.getByRole('link', { name: 'Open host' }).getAttribute('href');
    tokenHostId = href?.split('/').pop() ?? '';
    assert(tokenHostId.length > 10, `Open host links to ${href}`);
    // The running agent's first poll turns the dot green here too.
    await done.locator('[data-testid="status-dot"][data-status="online"]').waitFor({ timeout: 20_000 });
    await shot(page, 'add-host-done');
    await assertNoReload(page, 'enrollment');
  });

  await check('(b) the new host shows online in the Hosts list without a reload', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Add host' }).waitFor({ state: 'hidden' });
    const row = page.locator(`[data-host-id="${tokenHostId}"][data-status="online"]`);
    await row.waitFor({ timeout: 20_000 });
    const text = await row.textContent();
    assert(text?.includes(TOKEN_HOST) && text.includes('e2e'), `row: ${text}`);
    await assertNoReload(page, 'the hosts list refresh');
  });

  let announced = null;
  let fingerprint = '';
  await check('(c) an announcing agent prints its fingerprint and the pending panel shows the same one', async () => {
    const stateDir = await scratchDir('cairn-e2e-agent-');
    announced = { stateDir, env: { CAIRN_AGENT_HOSTNAME: ANNOUNCE_HOST } };
    // The announce command as the Add host dialog showed it (with its --pin over TLS).
    announced.proc = spawnAgent('agent-announce', [...announceArgs, '--state-dir', stateDir], announced.env);
    fingerprint = await waitFor(
      'the agent to print a SHA256: fingerprint',
      () => {
        if (announced.proc.exit) throw new Error(`cairn-agent enroll --announce exited ${JSON.stringify(announced.proc.exit)}:\n${announced.proc.out}`);
        const line = announced.proc.out.split('\n').find((l) => l.includes('SHA256:'));
        return line ? /SHA256:[A-Za-z0-9+/=_-]+/.exec(line)?.[0] : null;
      },
      15_000,
    );
    const card = page.getByTestId(`pending-${ANNOUNCE_HOST}`);
    await card.waitFor({ timeout: 15_000 });
    const shown = (await card.getByTestId('fingerprint').textContent())?.trim();
    assert(shown === fingerprint, `the panel shows ${shown}, the agent printed ${fingerprint}`);
    const text = await card.textContent();
    assert(text?.includes('Compare with the fingerprint the agent printed on the host'), `card: ${text}`);
    assert(!text.includes('already exists'), 'unexpected duplicate-hostname warning');
    await assertNoReload(page, 'the pending panel refresh');
    await shot(page, 'hosts-pending');
  });

  let announceHostId = '';
  await check('(c) accepting the host lets the waiting agent finish with exit code 0', async () => {
    const card = page.getByTestId(`pending-${ANNOUNCE_HOST}`);
    await card.getByRole('button', { name: 'Accept' }).click();
    const dialog = page.getByRole('dialog', { name: `Accept ${ANNOUNCE_HOST}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Accept host' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    const exit = await Promise.race([announced.proc.exited, sleep(20_000).then(() => null)]);
    assert(exit !== null, `the announcing agent is still waiting 20 s after the accept:\n${announced.proc.out}`);
    assert(exit.code === 0, `the announcing agent exited ${JSON.stringify(exit)}:\n${announced.proc.out}`);
    const hosts = await hostsViaApi(page);
    announceHostId = hosts.find((h) => h.fingerprint === fingerprint)?.id ?? '';
    assert(announceHostId, `no host with fingerprint ${fingerprint}: ${JSON.stringify(hosts.map((h) => h.hostname))}`);
  });

  await check('(c) the accepted agent runs and goes online in the list without a reload', async () => {
    spawnAgent('agent-announce-run', ['run', '--state-dir', announced.stateDir], announced.env);
    await page.locator(`[data-host-id="${announceHostId}"][data-status="online"]`).waitFor({ timeout: 20_000 });
    await assertNoReload(page, 'the second enrollment');
    await page.getByTestId('hosts-count').filter({ hasText: '2 hosts' }).waitFor();
    await shot(page, 'hosts');
    await page.getByTestId('color-scheme-toggle').click();
    await page.waitForFunction(() => document.documentElement.getAttribute('data-mantine-color-scheme') === 'dark');
    await shot(page, 'hosts-dark');
    await page.getByTestId('color-scheme-toggle').click();
    await page.waitForFunction(() => document.documentElement.getAttribute('data-mantine-color-scheme') === 'light');
  });

  const receivedCommands = (proc) => (proc.out.match(/command received/g) ?? []).length;
  const runningAgents = () => agents.filter((a) => a.name.endsWith('-run') && a.exit === null);

  await check('"Test all hosts" queues a test for every host; the notification says how many, both agents get it', async () => {
    const before = runningAgents().map((a) => [a, receivedCommands(a)]);
    assert(before.length === 2, `expected 2 running agents, have ${before.length}`);
    await page.getByRole('button', { name: 'Test all hosts' }).click();
    const note = page.locator('.mantine-Notification-root').filter({ hasText: 'Connection test sent' });
    await note.waitFor();
    const text = (await note.textContent()) ?? '';
    assert(text.includes('Sent a test to 2 hosts.'), `notification: ${text}`);
    await shot(page, 'hosts-ping-all');
    for (const [proc, n] of before) {
      await waitFor(`${proc.name} to receive the test command`, () => receivedCommands(proc) > n, 15_000);
    }
    await note.getByRole('button').click(); // close it
    await note.waitFor({ state: 'hidden' });
  });

  await check('with a tag filter the test goes only to hosts with that tag', async () => {
    await page.getByRole('combobox', { name: 'Filter by tag' }).click();
    await page.getByRole('option', { name: 'e2e' }).click();
    await page.getByTestId('hosts-count').filter({ hasText: '1 host' }).waitFor();
    await page.getByRole('button', { name: 'Test hosts tagged e2e' }).click();
    const note = page.locator('.mantine-Notification-root').filter({ hasText: 'Connection test sent' });
    await note.waitFor();
    const text = (await note.textContent()) ?? '';
    assert(text.includes('Sent a test to 1 host tagged “e2e”.'), `notification: ${text}`);
    await note.getByRole('button').click();
    await note.waitFor({ state: 'hidden' });
    await page.getByRole('combobox', { name: 'Filter by tag' }).click();
    await page.getByRole('option', { name: 'e2e' }).click(); // deselect
    await page.getByTestId('hosts-count').filter({ hasText: '2 hosts' }).waitFor();
  });

  await check('the status filter narrows the list', async () => {
    await page.getByRole('combobox', { name: 'Filter by status' }).click();
    await page.getByRole('option', { name: 'Offline' }).click();
    await page.getByText('No hosts match these filters').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByTestId('hosts-count').filter({ hasText: '2 hosts' }).waitFor();
  });

  let linkedHostId = '';
  await check('(d) host detail: link the repository, the agent applies the config, test connection', async () => {
    await page.getByTestId('hosts-table').getByRole('link').first().click();
    await page.waitForURL((url) => url.pathname.startsWith('/hosts/'));
    const facts = page.getByTestId('host-facts');
    await facts.waitFor();
    const text = await facts.textContent();
    assert(/SHA256:/.test(text ?? ''), `facts: ${text}`);
    await page.getByTestId('host-status').filter({ hasText: 'Online' }).waitFor();
    const repoSelect = page.getByRole('textbox', { name: 'Linked repositories' }).or(page.getByRole('combobox', { name: 'Linked repositories' }));
    await repoSelect.first().click();
    await page.getByRole('option', { name: REPO_NAME }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save repositories' }).click();
    await page.getByText('Repository links saved').waitFor();
    // The server bumps the wanted config version; the running agent picks it up and reports it.
    await page.locator('[data-testid="config-sync"][data-in-sync="true"]').waitFor({ timeout: 40_000 });
    const id = new URL(page.url()).pathname.split('/').pop();
    linkedHostId = id ?? '';
    const host = (await api(page, 'GET', `/api/v1/hosts/${id}`)).body;
    assert(Array.isArray(host.repository_ids) && host.repository_ids.length === 1, `repository_ids: ${JSON.stringify(host.repository_ids)}`);
    assert(host.config_version >= 1 && host.applied_config_version === host.config_version, `config ${host.applied_config_version}/${host.config_version}`);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const sent = page.getByTestId('ping-sent');
    await sent.waitFor();
    assert((await sent.textContent())?.includes('Sent; the agent picks it up on its next poll'), 'ping confirmation text');
    await shot(page, 'host-detail');
  });

  await check('home shows real fleet tiles that link to the filtered list', async () => {
    await nav(page, 'Home');
    await waitForPath(page, '/');
    const value = async (id) => (await page.getByTestId(`tile-${id}-value`).textContent())?.trim();
    await page.getByTestId('tile-total-value').filter({ hasText: '2' }).waitFor();
    await page.getByTestId('tile-online-value').filter({ hasText: '2' }).waitFor();
    assert((await value('offline')) === '0', `offline tile ${await value('offline')}`);
    assert((await value('pending')) === '0', `pending tile ${await value('pending')}`);
    await shot(page, 'home-fleet');
    await page.getByTestId('tile-online').click();
    await page.waitForURL((url) => url.pathname === '/hosts' && url.searchParams.get('status') === 'online');
    await page.getByTestId('hosts-count').filter({ hasText: '2 hosts' }).waitFor();
  });

  await check('hosts page works at phone width (390x844)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/hosts`);
    await page.locator(`[data-host-id="${tokenHostId}"]`).waitFor();
    const agentHeader = page.getByRole('columnheader', { name: 'Agent' });
    assert(!(await agentHeader.isVisible()), 'secondary columns should be hidden on a phone');
    await shot(page, 'hosts-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check('the agents are still running', async () => {
    for (const proc of agents.filter((a) => a.name.endsWith('-run'))) {
      assert(proc.exit === null, `${proc.name} exited ${JSON.stringify(proc.exit)}:\n${proc.out}`);
    }
  });

  Object.assign(state, { tokenHostId, announceHostId, linkedHostId });
}

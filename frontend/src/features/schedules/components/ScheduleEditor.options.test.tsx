// The schedule editor's extra restic options, hooks and "Check" against a scripted server:
// the allow-list's suggestions add options that are sent and kept when editing, a refused
// option lands on its field; an admin sees, edits and sends hooks while an operator sees only
// that there are some and never sends the key; "Check" sends the draft and shows the state,
// the findings and the command line; after a save the schedule is checked in the background.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { BackupOption, PreflightReport, Role, Schedule } from '@/api/types';
import { HOST_ID, REPO_ID } from '@/test/jobs';
import { SCHEDULE_ID, makePreview, makeSchedule } from '@/test/schedules';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { ScheduleEditor } from './ScheduleEditor';

const host = makeHost({ id: HOST_ID, hostname: 'web-01', repository_ids: [REPO_ID], timezone: 'Europe/Berlin' });
const CREATE = `/api/v1/hosts/${HOST_ID}/schedules`;
const REPLACE = `/api/v1/schedules/${SCHEDULE_ID}`;
const DRAFT = `/api/v1/hosts/${HOST_ID}/schedules/preflight`;
const STORED_CHECK = `/api/v1/schedules/${SCHEDULE_ID}/preflight`;

const OPTIONS: BackupOption[] = [
  { name: '--exclude-caches', value: 'none', since: '0.9', help: 'skip directories with a CACHEDIR.TAG file' },
  { name: '--exclude-larger-than', value: 'size', since: '0.10', help: 'skip files larger than this size' },
  { name: '--compression', value: 'word', words: ['auto', 'off', 'max'], since: '0.14', help: 'compression level (repository format 2)' },
];

const REPORT: PreflightReport = {
  state: 'warning',
  agent_checked: true,
  findings: [
    { code: 'backup.root_without_system_excludes', severity: 'warning', message: 'It backs up / without excluding /proc, /sys and /dev.' },
    { code: 'path.missing', severity: 'blocked', message: '/srv/data does not exist on web-01.' },
  ],
  command: ['/usr/bin/restic', 'backup', '--json', '--tag', 'my tag', '--exclude-caches', '/etc', "/home/o'neil"],
  env: ['RESTIC_REPOSITORY=sftp:backup@nas:/srv/restic', 'RESTIC_PASSWORD=***'],
  restic_version: '0.17.3',
};

interface Options {
  role?: Role;
  schedule?: Schedule;
  save?: Handler;
  draft?: Handler;
}

function setup({ role = 'operator', schedule, save, draft = () => json(200, REPORT) }: Options = {}) {
  const saved = schedule ?? makeSchedule();
  const server = fakeServer({
    'GET /api/v1/schedules/preview': () => json(200, makePreview()),
    'GET /api/v1/backup-options': () => json(200, OPTIONS),
    [`POST ${CREATE}`]: save ?? (() => json(201, saved)),
    [`PUT ${REPLACE}`]: save ?? (() => json(200, saved)),
    [`POST ${DRAFT}`]: draft,
    [`POST ${STORED_CHECK}`]: () => json(200, { ...REPORT, state: 'ready', findings: [] }),
    [`GET /api/v1/hosts/${HOST_ID}/schedules`]: () => json(200, { items: [saved], config_version: 1, applied_config_version: 1, in_sync: true }),
  });
  vi.stubGlobal('fetch', server.fetch);
  const onClose = vi.fn();
  renderWithProviders(<ScheduleEditor opened onClose={onClose} host={host} repositories={[makeRepository()]} schedule={schedule} />, {
    me: makeMe(role),
  });
  return { server, onClose, dialog: screen.getByRole('dialog'), user: userEvent.setup() };
}

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(new RegExp(`^${label}`), { selector: 'input, textarea' }), { target: { value } });
}

async function lastBody(server: ReturnType<typeof fakeServer>, method: string, path: string): Promise<Record<string, unknown>> {
  await waitFor(() => expect(server.calls(method, path).length).toBeGreaterThan(0));
  return (await server.calls(method, path).at(-1)?.json()) as Record<string, unknown>;
}

const HOOKS = {
  pre: { command: 'pg_dump -Fc app > /var/backups/app.dump', timeout_secs: 600 },
  post: { command: 'curl -fsS https://hc.example/ping', timeout_secs: 30 },
};

describe('ScheduleEditor extra options', () => {
  it('offers the allowed options with their help, and sends what was added', async () => {
    const { dialog, server, user } = setup();
    fill('Name', 'nightly');
    fill('Paths', '/etc');
    const flag = await within(dialog).findByRole('button', { name: /^Add --exclude-caches: skip directories with a CACHEDIR\.TAG file/ });
    expect(within(dialog).getByRole('button', { name: /^Add --compression: .*one of auto, off, max/ })).toBeInTheDocument();
    await user.click(flag);
    const field = within(dialog).getByLabelText(/^Extra restic options/, { selector: 'textarea' });
    expect(field).toHaveValue('--exclude-caches');
    // Added once: the suggestion is spent.
    expect(flag).toBeDisabled();
    // An option with a value is added up to its "=" and the cursor waits there for the value.
    await user.click(within(dialog).getByRole('button', { name: /^Add --exclude-larger-than/ }));
    expect(field).toHaveValue('--exclude-caches\n--exclude-larger-than=');
    await waitFor(() => expect(field).toHaveFocus());
    await user.type(field, '2G');
    expect(field).toHaveValue('--exclude-caches\n--exclude-larger-than=2G');

    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    const body = await lastBody(server, 'POST', CREATE);
    expect((body.backup as Record<string, unknown>).extra_options).toEqual(['--exclude-caches', '--exclude-larger-than=2G']);
  });

  it('starts from the stored options when editing and sends them back unchanged', async () => {
    const stored = makeSchedule({ backup: { ...makeSchedule().backup, extra_options: ['--exclude-caches', '--compression=max'] } });
    const { dialog, server, user } = setup({ schedule: stored });
    expect(within(dialog).getByLabelText(/^Extra restic options/, { selector: 'textarea' })).toHaveValue('--exclude-caches\n--compression=max');
    await user.click(within(dialog).getByRole('button', { name: 'Save schedule' }));
    const body = await lastBody(server, 'PUT', REPLACE);
    expect(body.backup).toEqual(stored.backup);
  });

  it('catches an option that is not on the list before sending', async () => {
    const { dialog, server, user } = setup();
    fill('Name', 'nightly');
    fill('Paths', '/etc');
    await within(dialog).findAllByTestId('extra-option-suggestion');
    fill('Extra restic options', '--password-command=sh');
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    expect(await within(dialog).findByText('--password-command is not an option a schedule may add')).toBeInTheDocument();
    expect(server.calls('POST', CREATE)).toHaveLength(0);
  });

  it('shows the server’s refusal of an option under the field', async () => {
    const message = '--exclude-larger-than takes a size such as 500M or 2G';
    const { dialog, user } = setup({
      save: () => json(400, { code: 'schedule.invalid_backup', message, details: { field: 'extra_options' } }),
    });
    fill('Name', 'nightly');
    fill('Paths', '/etc');
    await within(dialog).findAllByTestId('extra-option-suggestion');
    fill('Extra restic options', '--exclude-larger-than=huge');
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    const field = within(dialog).getByLabelText(/^Extra restic options/, { selector: 'textarea' });
    await waitFor(() => expect(field).toHaveAttribute('aria-invalid', 'true'));
    expect(within(dialog).getByText(message)).toBeInTheDocument();
    expect(within(dialog).queryByText('Could not save the schedule')).not.toBeInTheDocument();
  });
});

describe('ScheduleEditor hooks', () => {
  it('lets an admin see the stored hooks, with the warning, and sends them changed', async () => {
    const stored = makeSchedule({ has_hooks: true, hooks: HOOKS });
    const { dialog, server, user } = setup({ role: 'admin', schedule: stored });
    const hooks = within(dialog).getByTestId('hooks-fieldset');
    const warning = within(hooks).getByTestId('hooks-warning');
    expect(warning).toHaveTextContent('as the agent’s user (often root)');
    expect(warning).toHaveTextContent('hook_failed');
    expect(warning).toHaveTextContent('CAIRN_JOB_STATUS');
    expect(warning).toHaveTextContent('CAIRN_JOB_ID');
    expect(within(hooks).getByLabelText(/^Pre-hook command/, { selector: 'textarea' })).toHaveValue(HOOKS.pre.command);
    expect(within(hooks).getByRole('textbox', { name: /^Pre-hook timeout/ })).toHaveValue('600');
    fill('Post-hook command', '');
    await user.click(within(dialog).getByRole('button', { name: 'Save schedule' }));
    const body = await lastBody(server, 'PUT', REPLACE);
    // The pre-hook kept, the post-hook removed by leaving it out of `hooks`.
    expect(body.hooks).toEqual({ pre: HOOKS.pre });
  });

  it('gives an admin a 300-second default and sends {} when there are no hooks', async () => {
    const { dialog, server, user } = setup({ role: 'admin' });
    fill('Name', 'nightly');
    fill('Paths', '/etc');
    fill('Pre-hook command', 'systemctl stop app');
    expect(within(dialog).getByRole('textbox', { name: /^Pre-hook timeout/ })).toHaveValue('300');
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    expect((await lastBody(server, 'POST', CREATE)).hooks).toEqual({ pre: { command: 'systemctl stop app', timeout_secs: 300 } });

    fill('Pre-hook command', '  ');
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    await waitFor(() => expect(server.calls('POST', CREATE)).toHaveLength(2));
    expect((await lastBody(server, 'POST', CREATE)).hooks).toEqual({});
  });

  it('tells an operator the schedule has hooks, shows none, and never sends the hooks key', async () => {
    const stored = makeSchedule({ has_hooks: true });
    const { dialog, server, user } = setup({ role: 'operator', schedule: stored });
    expect(within(dialog).getByTestId('hooks-hidden')).toHaveTextContent('This schedule has hooks; only admins can see or change them.');
    expect(within(dialog).queryByTestId('hooks-fieldset')).not.toBeInTheDocument();
    expect(within(dialog).queryByLabelText(/^Pre-hook command/)).not.toBeInTheDocument();

    await user.click(within(dialog).getByRole('button', { name: 'Check' }));
    const draft = await lastBody(server, 'POST', DRAFT);
    expect(draft.schedule_id).toBe(SCHEDULE_ID);
    expect(Object.hasOwn(draft.schedule as object, 'hooks')).toBe(false);

    await user.click(within(dialog).getByRole('button', { name: 'Save schedule' }));
    const body = await lastBody(server, 'PUT', REPLACE);
    expect(Object.hasOwn(body, 'hooks')).toBe(false);
    expect(body.name).toBe('nightly');
  });

  it('says nothing about hooks to an operator when there are none', () => {
    const { dialog } = setup({ role: 'operator', schedule: makeSchedule() });
    expect(within(dialog).queryByTestId('hooks-hidden')).not.toBeInTheDocument();
    expect(within(dialog).queryByTestId('hooks-fieldset')).not.toBeInTheDocument();
  });
});

describe('ScheduleEditor Check', () => {
  it('checks the draft and shows the state, each finding and the command as one copyable line', async () => {
    const { dialog, server, user } = setup({ role: 'admin' });
    fill('Name', 'nightly');
    fill('Paths', '/etc\n/srv/data');
    await user.click(within(dialog).getByRole('button', { name: 'Check' }));
    const draft = await lastBody(server, 'POST', DRAFT);
    expect(Object.hasOwn(draft, 'schedule_id')).toBe(false);
    expect((draft.schedule as { backup: { paths: string[] } }).backup.paths).toEqual(['/etc', '/srv/data']);
    // An admin's draft carries its hooks (none here): the agent checks those too.
    expect((draft.schedule as Record<string, unknown>).hooks).toEqual({});

    const report = await within(dialog).findByTestId('preflight-report');
    expect(report).toHaveAttribute('data-state', 'warning');
    expect(within(report).getByTestId('preflight-state')).toHaveTextContent('Warning: it runs, but look at what was found.');
    const findings = within(report).getAllByTestId('finding');
    expect(findings.map((f) => f.getAttribute('data-severity'))).toEqual(['warning', 'blocked']);
    expect(findings[0]).toHaveTextContent('It backs up / without excluding /proc, /sys and /dev.');
    expect(findings[1]).toHaveTextContent('/srv/data does not exist on web-01.');
    expect(within(report).getByTestId('preflight-command')).toHaveTextContent(
      `/usr/bin/restic backup --json --tag 'my tag' --exclude-caches /etc '/home/o'\\''neil'`,
    );
    expect(within(report).getByRole('button', { name: 'Copy command' })).toBeInTheDocument();
    expect(within(report).getByTestId('preflight-env')).toHaveTextContent('RESTIC_PASSWORD=***');
    expect(within(report).getByTestId('preflight-restic')).toHaveTextContent('restic 0.17.3');
    expect(report).toHaveAttribute('data-stale', 'false');
    // Changing the schedule dims the answer until it is checked again.
    fill('Paths', '/etc');
    expect(within(dialog).getByTestId('preflight-report')).toHaveAttribute('data-stale', 'true');
  });

  it('says plainly when nothing was found, and why the agent did not check when it did not', async () => {
    let answer: PreflightReport = { state: 'ready', agent_checked: true, findings: [], command: ['restic', 'backup', '/etc'], env: [], restic_version: '0.17.3' };
    const { dialog, user } = setup({ schedule: makeSchedule(), draft: () => json(200, answer) });
    await user.click(within(dialog).getByRole('button', { name: 'Check' }));
    const report = await within(dialog).findByTestId('preflight-report');
    expect(within(report).getByTestId('preflight-state')).toHaveTextContent('Ready: the server and the agent found nothing to fix.');
    expect(within(report).queryByTestId('finding')).not.toBeInTheDocument();

    answer = {
      state: 'warning',
      agent_checked: false,
      findings: [{ code: 'agent.no_answer', severity: 'warning', message: 'web-01 did not answer within 20 s; its checks did not run.' }],
    };
    await user.click(within(dialog).getByRole('button', { name: 'Check' }));
    await waitFor(() => expect(within(dialog).getByTestId('preflight-not-checked')).toHaveTextContent('The agent did not check this schedule'));
    expect(within(dialog).getByTestId('finding')).toHaveTextContent('web-01 did not answer within 20 s');
    expect(within(dialog).queryByTestId('preflight-command')).not.toBeInTheDocument();
  });

  it('puts a 400 from Check on the field it names, like saving', async () => {
    const message = '--iexclude needs a value: --iexclude=…';
    const { dialog } = setup({
      schedule: makeSchedule(),
      draft: () => json(400, { code: 'schedule.invalid_backup', message, details: { field: 'extra_options' } }),
    });
    await within(dialog).findAllByTestId('extra-option-suggestion');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Check' }));
    const field = within(dialog).getByLabelText(/^Extra restic options/, { selector: 'textarea' });
    await waitFor(() => expect(field).toHaveAttribute('aria-invalid', 'true'));
    expect(within(dialog).getByText(message)).toBeInTheDocument();
    expect(within(dialog).queryByTestId('preflight-report')).not.toBeInTheDocument();
  });

  it('shows a refusal of the stored hooks above the form to someone who cannot see them', async () => {
    const message = 'This hook cannot be used: the command is empty.';
    const { dialog, user } = setup({
      schedule: makeSchedule({ has_hooks: true }),
      draft: () => json(400, { code: 'schedule.invalid_hook', message, details: { field: 'hooks.pre' } }),
    });
    await user.click(within(dialog).getByRole('button', { name: 'Check' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Could not check the schedule');
    expect(alert).toHaveTextContent(message);
  });

  it('checks the saved schedule on its agent in the background after a save', async () => {
    const { dialog, server, onClose, user } = setup({ schedule: makeSchedule() });
    expect(server.calls('POST', STORED_CHECK)).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Save schedule' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    await waitFor(() => expect(server.calls('POST', STORED_CHECK)).toHaveLength(1));
    // The saved schedule is checked, never the draft endpoint.
    expect(server.calls('POST', DRAFT)).toHaveLength(0);
  });
});

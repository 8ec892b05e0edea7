// The host's Schedules tab against a scripted server: the empty state (with a way to add one
// only for people who may), each row's facts, whether the agent is in sync, Run now, disabling
// (the whole schedule sent back with only `enabled` changed) and deleting after the name is typed.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Repository, Role, ScheduleList } from '@/api/types';
import { HOST_ID, JOB_ID, REPO_ID, makeJob } from '@/test/jobs';
import { SCHEDULE_ID, makeSchedule, makeScheduleList } from '@/test/schedules';
import { fakeServer, json, hostSeenBy, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { SchedulesSection } from './SchedulesSection';

const host = makeHost({ id: HOST_ID, repository_ids: [REPO_ID], timezone: 'Europe/Berlin' });
const listPath = `/api/v1/hosts/${HOST_ID}/schedules`;

interface Options {
  role?: Role;
  extra?: Record<string, Handler>;
  repositories?: Repository[];
}

function setup(list: ScheduleList | Handler, { role = 'operator', extra = {}, repositories = [makeRepository()] }: Options = {}) {
  const server = fakeServer({
    [`GET ${listPath}`]: typeof list === 'function' ? list : () => json(200, list),
    ...extra,
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<SchedulesSection host={hostSeenBy(makeMe(role), host)} repositories={repositories} />, { me: makeMe(role) });
  return { server, user: userEvent.setup() };
}

describe('SchedulesSection', () => {
  it('says the host is backed up only by hand, with "New schedule" for an operator', async () => {
    const { user } = setup(makeScheduleList([]));
    const empty = await screen.findByTestId('schedules-empty');
    expect(empty).toHaveTextContent('No schedule yet');
    expect(empty).toHaveTextContent('web-01 is backed up only when you click “Run backup now”.');
    await user.click(within(empty).getByRole('button', { name: 'New schedule' }));
    expect(await screen.findByRole('dialog', { name: 'New schedule for web-01' })).toBeInTheDocument();
  });

  it('gives a viewer the empty state and the rows without any action', async () => {
    setup(makeScheduleList([]), { role: 'viewer' });
    const empty = await screen.findByTestId('schedules-empty');
    expect(empty).toHaveTextContent('An operator or administrator can add a schedule.');
    expect(within(empty).queryByRole('button')).not.toBeInTheDocument();
  });

  it('shows a viewer the schedules but no Run now, Edit or menu', async () => {
    setup(makeScheduleList([makeSchedule()]), { role: 'viewer' });
    const row = await screen.findByTestId('schedule-row');
    expect(row).toHaveTextContent('Every day at 03:00');
    // The only button opens the preflight findings, which a viewer may read.
    expect(within(row).getAllByRole('button').map((b) => b.getAttribute('aria-label'))).toEqual(['Preflight: Ready']);
    await userEvent.setup().click(within(row).getByTestId('schedule-state'));
    expect(await screen.findByTestId('schedule-state-details')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Check now' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New schedule' })).not.toBeInTheDocument();
  });

  it('lists each schedule with its sentence, zone, next fire, last run and state', async () => {
    setup(
      makeScheduleList([
        makeSchedule({
          last_run: { job_id: JOB_ID, status: 'succeeded', created_at: '2025-03-01T10:00:00Z', finished_at: '2025-03-01T10:01:00Z' },
        }),
        makeSchedule({
          id: '50000000-0000-4000-8000-000000000002',
          name: 'on demand',
          cron: undefined,
          description: undefined,
          next_fires: [],
          retention: undefined,
          forget_after_backup: false,
        }),
        makeSchedule({ id: '50000000-0000-4000-8000-000000000003', name: 'paused', enabled: false, next_fires: [], timezone: 'UTC', effective_timezone: 'UTC' }),
      ]),
    );
    const [nightly, manual, paused] = (await screen.findAllByTestId('schedule-row')) as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(nightly).getByTestId('schedule-name')).toHaveTextContent('nightly');
    expect(within(nightly).getByTestId('schedule-repository')).toHaveTextContent('to office-nas');
    expect(within(nightly).getByTestId('schedule-sentence')).toHaveTextContent('Every day at 03:00');
    expect(within(nightly).getByTestId('schedule-zone')).toHaveTextContent('Europe/Berlin (host’s zone)');
    // 2090-01-02T02:00Z is 03:00 in Berlin: the absolute time is the schedule's own clock.
    expect(within(nightly).getByTestId('schedule-next-absolute')).toHaveTextContent(/2090.*03:00/);
    expect(within(nightly).getByTestId('schedule-next-relative')).toHaveTextContent(/^in \d+ years?$/);
    const last = within(nightly).getByTestId('schedule-last-run');
    expect(last).toHaveAttribute('href', `/jobs/${JOB_ID}`);
    expect(last).toHaveAttribute('data-status', 'succeeded');
    expect(last).toHaveTextContent('Succeeded');
    expect(within(nightly).getByTestId('schedule-what')).toHaveTextContent('/etc, /home · keep 7 daily, 4 weekly · forget after backup');
    expect(nightly).toHaveAttribute('data-enabled', 'true');

    expect(within(manual).getByTestId('schedule-sentence')).toHaveTextContent('Manual — runs only when asked');
    expect(within(manual).queryByTestId('schedule-zone')).not.toBeInTheDocument();
    expect(within(manual).getByTestId('schedule-next')).toHaveTextContent('Only when asked');
    expect(within(manual).getByTestId('schedule-last-run')).toHaveTextContent('Never');

    expect(paused).toHaveAttribute('data-enabled', 'false');
    expect(within(paused).getByTestId('schedule-disabled')).toHaveTextContent('Disabled');
    expect(within(paused).getByTestId('schedule-next')).toHaveTextContent('None: disabled');
    expect(within(paused).getByTestId('schedule-zone')).toHaveTextContent(/^UTC$/);
  });

  it('shows the mirror a schedule copies to, and nothing for one without', async () => {
    const MIRROR = '30000000-0000-4000-8000-0000000000b2';
    setup(makeScheduleList([makeSchedule({ copy_to: MIRROR }), makeSchedule({ id: '50000000-0000-4000-8000-000000000002', name: 'weekly' })]), {
      repositories: [makeRepository(), makeRepository({ id: MIRROR, name: 'offsite-b2' })],
    });
    const [nightly, weekly] = (await screen.findAllByTestId('schedule-row')) as [HTMLElement, HTMLElement];
    expect(within(nightly).getByTestId('schedule-repository')).toHaveTextContent('to office-nas→ and copied to offsite-b2');
    expect(within(nightly).getByTestId('schedule-copy-to')).toHaveTextContent('offsite-b2');
    expect(within(weekly).queryByTestId('schedule-copy-to')).not.toBeInTheDocument();
  });

  it('says whether the agent runs the current schedules', async () => {
    let list = makeScheduleList([makeSchedule()], { config_version: 5, applied_config_version: 4, in_sync: false });
    setup(() => json(200, list));
    const badge = await screen.findByTestId('schedules-sync');
    expect(badge).toHaveTextContent('Agent at version 4 of 5');
    expect(badge).toHaveAttribute('data-in-sync', 'false');
    // Polled while it catches up: the agent's ack turns it green without a reload.
    list = makeScheduleList([makeSchedule()], { config_version: 5, applied_config_version: 5, in_sync: true });
    await waitFor(() => expect(screen.getByTestId('schedules-sync')).toHaveTextContent('In sync'), { timeout: 4000 });
    expect(screen.getByTestId('schedules-sync')).toHaveAttribute('data-in-sync', 'true');
  });

  it('runs a schedule now with its own settings and shows the run as its last', async () => {
    let started = false;
    let runBody: unknown = null;
    const { user } = setup(
      () =>
        json(
          200,
          makeScheduleList([
            makeSchedule(started ? { last_run: { job_id: JOB_ID, status: 'running', created_at: new Date().toISOString() } } : {}),
          ]),
        ),
      {
        extra: {
          [`POST /api/v1/schedules/${SCHEDULE_ID}/run`]: async (r) => {
            runBody = await r.json();
            started = true;
            return json(202, makeJob({ status: 'queued' }));
          },
        },
      },
    );
    const row = await screen.findByTestId('schedule-row');
    expect(within(row).getByTestId('schedule-last-run')).toHaveTextContent('Never');
    await user.click(within(row).getByRole('button', { name: 'Run now' }));
    expect(runBody).toEqual({});
    expect(await screen.findByText('nightly started; its progress shows under Last run.')).toBeInTheDocument();
    await waitFor(() => expect(within(row).getByTestId('schedule-last-run')).toHaveAttribute('data-status', 'running'));
    // A second run would be refused while this one has not ended.
    expect(within(row).getByRole('button', { name: 'Run now' })).toBeDisabled();
  });

  it('shows the server’s message when a run is refused', async () => {
    const { user } = setup(makeScheduleList([makeSchedule()]), {
      extra: {
        [`POST /api/v1/schedules/${SCHEDULE_ID}/run`]: () =>
          json(409, { code: 'host.offline', message: 'web-01 is offline; start the agent and try again.', details: {} }),
      },
    });
    const row = await screen.findByTestId('schedule-row');
    await user.click(within(row).getByRole('button', { name: 'Run now' }));
    expect(await screen.findByText('web-01 is offline; start the agent and try again.')).toBeInTheDocument();
    expect(screen.getByText('Could not run nightly')).toBeInTheDocument();
  });

  it('disables a schedule by sending it back whole with only enabled changed', async () => {
    const stored = makeSchedule({
      timezone: 'Europe/Berlin',
      backup: { paths: ['/srv'], excludes: [], exclude_files: ['/etc/x'], tags: ['t'], one_file_system: true, limit_download_kib: 512, extra_options: [] },
      prune_after_forget: true,
      prune_max_unused: '10%',
      missed: 'skip',
    });
    let body: unknown = null;
    const { user } = setup(makeScheduleList([stored]), {
      extra: {
        [`PUT /api/v1/schedules/${SCHEDULE_ID}`]: async (r) => {
          body = await r.json();
          return json(200, { ...stored, enabled: false });
        },
      },
    });
    const row = await screen.findByTestId('schedule-row');
    await user.click(within(row).getByRole('button', { name: 'Actions for nightly' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Disable' }));
    await waitFor(() => expect(body).not.toBeNull());
    expect(body).toEqual({
      name: 'nightly',
      repository_id: REPO_ID,
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      backup: stored.backup,
      retention: stored.retention,
      forget_after_backup: true,
      prune_after_forget: true,
      prune_max_unused: '10%',
      missed: 'skip',
      enabled: false,
    });
    expect(await screen.findByText('nightly is disabled: it keeps its settings and never runs by itself.')).toBeInTheDocument();
  });

  it('shows each schedule’s preflight state with its findings', async () => {
    setup(
      makeScheduleList([
        makeSchedule({ agent_checked_at: new Date(Date.now() - 5 * 60_000).toISOString() }),
        makeSchedule({
          id: '50000000-0000-4000-8000-000000000002',
          name: 'root',
          state: 'warning',
          findings: [{ code: 'backup.root_without_system_excludes', severity: 'warning', message: 'It backs up / without excluding /proc, /sys and /dev.' }],
        }),
        makeSchedule({
          id: '50000000-0000-4000-8000-000000000003',
          name: 'data',
          state: 'blocked',
          findings: [{ code: 'path.missing', severity: 'blocked', message: '/srv/data does not exist on web-01.' }],
        }),
      ]),
    );
    const [ready, warning, blocked] = (await screen.findAllByTestId('schedule-row')) as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(ready).getByTestId('schedule-state')).toHaveAttribute('data-state', 'ready');
    expect(within(ready).getByTestId('schedule-state')).toHaveTextContent(/^Ready$/);
    expect(within(warning).getByTestId('schedule-state')).toHaveTextContent('Warning · 1');
    expect(within(blocked).getByRole('button', { name: 'Preflight: Blocked, 1 finding' })).toHaveAttribute('data-state', 'blocked');

    const user = userEvent.setup();
    await user.click(within(ready).getByTestId('schedule-state'));
    let details = await screen.findByTestId('schedule-state-details');
    expect(details).toHaveTextContent('Ready: the server and the agent found nothing to fix.');
    expect(within(details).getByTestId('schedule-checked-at')).toHaveTextContent('The agent last checked it 5 minutes ago');
    await user.click(within(ready).getByTestId('schedule-state'));
    await waitFor(() => expect(screen.queryByTestId('schedule-state-details')).not.toBeInTheDocument());

    await user.click(within(blocked).getByTestId('schedule-state'));
    details = await screen.findByTestId('schedule-state-details');
    const finding = within(details).getByTestId('finding');
    expect(finding).toHaveAttribute('data-severity', 'blocked');
    expect(finding).toHaveTextContent('/srv/data does not exist on web-01.');
    expect(within(details).getByTestId('schedule-checked-at')).toHaveTextContent('The agent has not checked it since it last changed');
  });

  it('checks a schedule now: shows the agent’s report and reads the list again', async () => {
    let checked = false;
    const { server, user } = setup(
      () =>
        json(
          200,
          makeScheduleList([
            checked
              ? makeSchedule({ state: 'blocked', findings: [{ code: 'repository.wrong_password', severity: 'blocked', message: 'The repository password is wrong.' }] })
              : makeSchedule(),
          ]),
        ),
      {
        extra: {
          [`POST /api/v1/schedules/${SCHEDULE_ID}/preflight`]: () => {
            checked = true;
            return json(200, {
              state: 'blocked',
              agent_checked: true,
              findings: [{ code: 'repository.wrong_password', severity: 'blocked', message: 'The repository password is wrong.' }],
              command: ['restic', 'backup', '/etc', '/home'],
              env: ['RESTIC_PASSWORD=***'],
              restic_version: '0.14.0',
            });
          },
        },
      },
    );
    const row = await screen.findByTestId('schedule-row');
    expect(within(row).getByTestId('schedule-state')).toHaveAttribute('data-state', 'ready');
    await user.click(within(row).getByTestId('schedule-state'));
    await user.click(await screen.findByRole('button', { name: 'Check now' }));
    const dialog = await screen.findByRole('dialog', { name: 'Check of nightly' });
    const report = within(dialog).getByTestId('preflight-report');
    expect(within(report).getByTestId('preflight-state')).toHaveTextContent('Blocked: it does not run until this is fixed.');
    expect(within(report).getByTestId('finding')).toHaveTextContent('The repository password is wrong.');
    expect(within(report).getByTestId('preflight-command')).toHaveTextContent('restic backup /etc /home');
    expect(server.calls('POST', `/api/v1/schedules/${SCHEDULE_ID}/preflight`)).toHaveLength(1);
    // The list is read again: the row now shows what the agent found.
    await waitFor(() => expect(within(row).getByTestId('schedule-state')).toHaveAttribute('data-state', 'blocked'));
  });

  it('shows the agent’s findings on the row after a save from the editor', async () => {
    let checked = false;
    const { server, user } = setup(
      () => json(200, makeScheduleList([checked ? makeSchedule({ state: 'warning', findings: [{ code: 'disk.low', severity: 'warning', message: 'Little room for restic’s cache.' }] }) : makeSchedule()])),
      {
        extra: {
          'GET /api/v1/schedules/preview': () => json(200, { description: 'Every day at 03:00', timezone: 'Europe/Berlin', next_fires: [] }),
          'GET /api/v1/backup-options': () => json(200, []),
          [`PUT /api/v1/schedules/${SCHEDULE_ID}`]: () => json(200, makeSchedule()),
          [`POST /api/v1/schedules/${SCHEDULE_ID}/preflight`]: () => {
            checked = true;
            return json(200, { state: 'warning', agent_checked: true, findings: [] });
          },
        },
      },
    );
    const row = await screen.findByTestId('schedule-row');
    await user.click(within(row).getByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit nightly' });
    await user.click(within(dialog).getByRole('button', { name: 'Save schedule' }));
    await waitFor(() => expect(server.calls('POST', `/api/v1/schedules/${SCHEDULE_ID}/preflight`)).toHaveLength(1));
    await waitFor(() => expect(within(row).getByTestId('schedule-state')).toHaveAttribute('data-state', 'warning'));
    expect(within(row).getByTestId('schedule-state')).toHaveTextContent('Warning · 1');
  });

  it('deletes a schedule once its name is typed', async () => {
    let deleted = false;
    const { user, server } = setup(() => json(200, makeScheduleList(deleted ? [] : [makeSchedule()])), {
      extra: {
        [`DELETE /api/v1/schedules/${SCHEDULE_ID}`]: () => {
          deleted = true;
          return new Response(null, { status: 204 });
        },
      },
    });
    const row = await screen.findByTestId('schedule-row');
    await user.click(within(row).getByRole('button', { name: 'Actions for nightly' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Delete…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete nightly?' });
    expect(dialog).toHaveTextContent('The jobs it ran and the snapshots they made stay.');
    const confirm = within(dialog).getByRole('button', { name: 'Delete schedule' });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Type nightly to confirm'), 'nightly');
    await user.click(confirm);
    expect(await screen.findByTestId('schedules-empty')).toBeInTheDocument();
    expect(server.calls('DELETE', `/api/v1/schedules/${SCHEDULE_ID}`)).toHaveLength(1);
  });
});

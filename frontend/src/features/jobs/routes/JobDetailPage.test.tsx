// One job, live, against a scripted server and a fake EventSource: progress from a progress
// event, log lines that follow until the person scrolls up, status changes, cancel (only while
// it runs and only for roles that may), the failure and warning alerts, and reconnecting.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Job, Role } from '@/api/types';
import { FakeEventSource, installFakeEventSource } from '@/test/eventSource';
import { JOB_ID, makeJob, makeJobsMe, makeLogLine, makeProgress } from '@/test/jobs';
import { fakeServer, json, renderWithProviders } from '@/test/utils';
import { ROW_HEIGHT } from '../components/LogViewer';
import { JobDetailPage } from './JobDetailPage';

function setup(job: Job, role: Role = 'operator', extra: Record<string, Parameters<typeof fakeServer>[0][string]> = {}) {
  installFakeEventSource();
  const server = fakeServer({
    [`GET /api/v1/jobs/${job.id}`]: () => json(200, job),
    [`POST /api/v1/jobs/${job.id}/cancel`]: () => json(202, { ...job, cancel_requested_at: '2025-03-01T10:01:00Z' }),
    ...extra,
  });
  vi.stubGlobal('fetch', server.fetch);
  const rendered = renderWithProviders(null, {
    me: makeJobsMe(role),
    route: `/jobs/${job.id}`,
    routes: [{ path: '/jobs/:id', element: <JobDetailPage /> }],
  });
  return { server, ...rendered };
}

/** The page's event stream, once the job has loaded and opened it. */
async function stream(): Promise<FakeEventSource> {
  await waitFor(() => expect(FakeEventSource.instances.length).toBeGreaterThan(0));
  const es = FakeEventSource.latest();
  act(() => es.open());
  return es;
}

/** jsdom has no layout: give the log box a scroll geometry the follow logic can read and set. */
function fakeScrollBox(el: HTMLElement, clientHeight = 200) {
  let top = 0;
  const height = () => el.querySelectorAll('[data-testid="log-line"]').length * ROW_HEIGHT;
  Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => clientHeight });
  Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => Math.max(height(), clientHeight) });
  Object.defineProperty(el, 'scrollTop', {
    configurable: true,
    get: () => top,
    set: (v: number) => {
      top = Math.max(0, Math.min(v, Math.max(height(), clientHeight) - clientHeight));
    },
  });
  return {
    get top() {
      return top;
    },
    scrollTo(v: number) {
      el.scrollTop = v;
      el.dispatchEvent(new Event('scroll'));
    },
  };
}

function emitLines(es: FakeEventSource, from: number, to: number, stream = 'stdout') {
  act(() => {
    for (let seq = from; seq <= to; seq += 1) es.emit('log', { kind: 'log', log: makeLogLine(seq, { stream }) }, seq);
  });
}

describe('JobDetailPage', () => {
  it('shows progress from a progress event: percent, files, bytes, time left and the current file', async () => {
    setup(makeJob({ status: 'running' }));
    const es = await stream();
    expect(es.url).toBe(`/api/v1/jobs/${JOB_ID}/events`);
    act(() => es.emit('progress', { kind: 'progress', progress: makeProgress() }));

    const bar = await screen.findByRole('progressbar', { name: 'Backup progress' });
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '50'));
    expect(screen.getByTestId('progress-percent')).toHaveTextContent('50 %');
    expect(screen.getByTestId('progress-files')).toHaveTextContent('1,000 / 2,000');
    expect(screen.getByTestId('progress-bytes')).toHaveTextContent('2.00 GiB / 4.00 GiB');
    expect(screen.getByTestId('progress-eta')).toHaveTextContent('about 1 min 05 s');
    expect(screen.getByTestId('progress-current')).toHaveTextContent('/home/ada/big.iso');

    act(() => es.emit('progress', { kind: 'progress', progress: makeProgress({ fraction: 0.755, files_done: 1510 }) }));
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '75'));
    expect(screen.getByTestId('progress-files')).toHaveTextContent('1,510 / 2,000');
  });

  it('follows new log lines at the bottom, stops when scrolled up, and "Jump to latest" resumes', async () => {
    setup(makeJob({ status: 'running' }));
    const es = await stream();
    const log = await screen.findByRole('log', { name: 'Job log' });
    const box = fakeScrollBox(log);

    emitLines(es, 1, 30);
    await waitFor(() => expect(screen.getByTestId('log-count')).toHaveTextContent('30 lines'));
    // Following: pinned to the end (30 rows × 20 px − 200 px viewport).
    expect(box.top).toBe(30 * ROW_HEIGHT - 200);
    expect(log).toHaveAttribute('data-following', 'true');
    expect(screen.getByTestId('log-follow-state')).toHaveTextContent('Following');

    act(() => box.scrollTo(100));
    await waitFor(() => expect(log).toHaveAttribute('data-following', 'false'));
    expect(screen.getByTestId('log-follow-state')).toHaveTextContent('Paused');

    emitLines(es, 31, 35);
    await waitFor(() => expect(screen.getByTestId('log-count')).toHaveTextContent('35 lines'));
    // Not following: the view stays where the person is reading.
    expect(box.top).toBe(100);
    const jump = screen.getByRole('button', { name: 'Jump to latest (5 new)' });

    await userEvent.setup().click(jump);
    await waitFor(() => expect(log).toHaveAttribute('data-following', 'true'));
    expect(box.top).toBe(35 * ROW_HEIGHT - 200);
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).not.toBeInTheDocument();

    emitLines(es, 36, 40);
    await waitFor(() => expect(box.top).toBe(40 * ROW_HEIGHT - 200));
  });

  it('tints stderr lines, ignores a repeated seq, and closes the stream at "end" with the final status', async () => {
    setup(makeJob({ status: 'running' }));
    const es = await stream();
    act(() => {
      es.emit('log', { kind: 'log', log: makeLogLine(1, { line: 'scan finished' }) }, 1);
      es.emit('log', { kind: 'log', log: makeLogLine(2, { stream: 'stderr', line: 'error: open /root/x: permission denied' }) }, 2);
      es.emit('log', { kind: 'log', log: makeLogLine(2, { stream: 'stderr', line: 'error: open /root/x: permission denied' }) }, 2);
    });
    await waitFor(() => expect(screen.getAllByTestId('log-line')).toHaveLength(2));
    const stderr = screen.getAllByTestId('log-line')[1];
    expect(stderr).toHaveAttribute('data-stream', 'stderr');
    expect(stderr).toHaveStyle({ background: 'var(--mantine-color-red-light)' });
    expect(stderr).toHaveTextContent('permission denied');

    const done = makeJob({
      status: 'succeeded',
      finished_at: '2025-03-01T10:02:02Z',
      summary: {
        files_new: 12,
        files_changed: 3,
        files_unmodified: 1985,
        dirs_new: 1,
        dirs_changed: 2,
        dirs_unmodified: 300,
        data_added: 5 * 1024 * 1024,
        total_files_processed: 2000,
        total_bytes_processed: 4 * 1024 * 1024 * 1024,
        total_duration_secs: 120.4,
        snapshot_id: 'f00dcafe',
      },
    });
    act(() => {
      es.emit('status', { kind: 'status', job: done });
      es.emit('end', { kind: 'end' });
    });
    await waitFor(() => expect(screen.getAllByTestId('job-status')[0]).toHaveAttribute('data-status', 'succeeded'));
    expect(es.closed).toBe(true);
    expect(screen.getByTestId('stat-added')).toHaveTextContent('5.00 MiB');
    expect(screen.getByTestId('stat-duration')).toHaveTextContent('2 min 00 s');
    expect(screen.getByTestId('summary-snapshot')).toHaveTextContent('f00dcafe');
    expect(screen.getByRole('link', { name: 'What changed in this backup' })).toHaveAttribute(
      'href',
      `/hosts/${done.host_id}/snapshots/f00dcafe/diff?repo=${done.repository_id ?? ''}`,
    );
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
  });

  it('lets an operator cancel a running job after confirming', async () => {
    const { server } = setup(makeJob({ status: 'running' }));
    await stream();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Cancel job' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel this job?' });
    expect(dialog).toHaveTextContent('no snapshot is made');
    await user.click(within(dialog).getByRole('button', { name: 'Yes, cancel job' }));
    await waitFor(() => expect(server.calls('POST', `/api/v1/jobs/${JOB_ID}/cancel`)).toHaveLength(1));
    expect(await screen.findByRole('button', { name: 'Cancelling…' })).toBeDisabled();
  });

  it('offers no cancel to a viewer', async () => {
    setup(makeJob({ status: 'running' }), 'viewer');
    await stream();
    expect(await screen.findByRole('log', { name: 'Job log' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
  });

  it('offers no cancel once a job has ended', async () => {
    setup(makeJob({ status: 'succeeded', finished_at: '2025-03-01T10:02:00Z' }), 'admin');
    await stream();
    expect(await screen.findByRole('log', { name: 'Job log' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
  });

  it('says when history retention removed an old job\'s log', async () => {
    setup(
      makeJob({ status: 'succeeded', finished_at: '2025-03-01T10:02:00Z', log_lines: 1234, logs_removed_at: '2025-04-01T03:00:00Z' }),
    );
    const es = await stream();
    act(() => es.emit('end', { kind: 'end' }));
    const empty = await screen.findByTestId('log-empty');
    expect(empty).toHaveTextContent(/1234 log lines were removed on .+ by history retention/);
    expect(empty).toHaveTextContent('history.job_logs_days');
  });

  it('explains a failure with its class and message', async () => {
    setup(
      makeJob({
        status: 'failed',
        finished_at: '2025-03-01T10:00:05Z',
        exit_code: 1,
        error_class: 'restic.wrong_password',
        error_message: 'wrong password or no key found',
      }),
    );
    const alert = await screen.findByTestId('job-outcome');
    expect(alert).toHaveAttribute('data-outcome', 'failed');
    expect(alert).toHaveTextContent('Backup failed');
    expect(alert).toHaveTextContent('wrong password or no key found');
    expect(alert).toHaveTextContent('restic.wrong_password');
    expect(alert).toHaveTextContent('exit code 1');
    expect(alert).toHaveTextContent('Check the repository password');
  });

  it('says which job a queued one waits for on its repository, with a link to it', async () => {
    const other = '01900000-0000-7000-8000-0000000000aa';
    setup(makeJob({ kind: 'prune', status: 'queued', waiting_for: other, started_at: undefined }));
    const alert = await screen.findByTestId('job-outcome');
    expect(alert).toHaveAttribute('data-outcome', 'waiting');
    expect(within(alert).getByRole('link', { name: 'job 01900000' })).toHaveAttribute('href', `/jobs/${other}`);
  });

  it('shows what a blocked forget would have removed', async () => {
    const snap = { id: 'ab'.repeat(32), time: '2025-03-01T03:00:00Z', hostname: 'web-01', paths: ['/etc'], tags: [], reasons: [] };
    setup(
      makeJob({
        kind: 'forget',
        status: 'blocked',
        finished_at: '2025-03-01T10:00:05Z',
        error_class: 'forget.guard',
        error_message: 'Nothing removed: it would remove 4 of 5 snapshots.',
        result: { outcome: 'blocked', unreadable: [], findings: [], forget: { keep: [snap], remove: [snap, snap, snap, snap], removed: false } },
      }),
    );
    const alert = await screen.findByTestId('job-outcome');
    expect(alert).toHaveAttribute('data-outcome', 'blocked');
    expect(alert).toHaveTextContent('it would remove 4 of 5 snapshots');
    expect(within(alert).getByTestId('blocked-report')).toHaveTextContent('removed 4 and kept 1 snapshot');
  });

  it('lists the unreadable paths of a warning, and a stale lock of a lost job', async () => {
    setup(
      makeJob({
        status: 'warning',
        finished_at: '2025-03-01T10:00:05Z',
        error_class: 'restic.incomplete',
        error_message: 'Some files could not be read.',
        result: { outcome: 'warning', unreadable: ['/root/.ssh', '/var/lib/secret'], findings: [] },
      }),
    );
    const alert = await screen.findByTestId('job-outcome');
    expect(alert).toHaveTextContent('Finished with warnings');
    expect(within(screen.getByTestId('unreadable-paths')).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      '/root/.ssh',
      '/var/lib/secret',
    ]);
  });

  it('shows a stale lock left by a lost job', async () => {
    setup(
      makeJob({
        status: 'lost',
        finished_at: '2025-03-01T10:30:00Z',
        error_class: 'agent.lost',
        error_message: 'The agent stopped reporting.',
        result: { outcome: 'lost', unreadable: [], findings: [], stale_lock: 'lock 4f2a by restic on web-01 (PID 812), created 10:00' },
      }),
    );
    expect(await screen.findByTestId('job-outcome')).toHaveTextContent('Lost track of this job');
    expect(screen.getByTestId('stale-lock')).toHaveTextContent('lock 4f2a by restic on web-01');
  });

  it('after a broken stream (an expired session), refreshes it through the API client and resumes after the last line', async () => {
    const job = makeJob({ status: 'running' });
    let gets = 0;
    const { server } = setup(job, 'operator', {
      // The first read loads the page; the reconnect's read finds the access cookie expired.
      [`GET /api/v1/jobs/${JOB_ID}`]: () => {
        gets += 1;
        return gets === 2 ? json(401, { code: 'auth.unauthenticated', message: 'Session expired', details: {} }) : json(200, job);
      },
      'POST /api/v1/auth/refresh': () => json(200, {}),
    });
    const es = await stream();
    emitLines(es, 1, 7);
    await waitFor(() => expect(screen.getByTestId('log-count')).toHaveTextContent('7 lines'));

    act(() => es.fail());
    expect(await screen.findByTestId('feed-reconnecting')).toBeInTheDocument();
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(2), { timeout: 3000 });
    expect(server.calls('POST', '/api/v1/auth/refresh')).toHaveLength(1);
    expect(gets).toBe(3);
    const resumed = FakeEventSource.latest();
    expect(resumed.url).toBe(`/api/v1/jobs/${JOB_ID}/events?after=7`);
    act(() => resumed.open());
    emitLines(resumed, 8, 9);
    await waitFor(() => expect(screen.getByTestId('log-count')).toHaveTextContent('9 lines'));
    expect(screen.queryByTestId('feed-reconnecting')).not.toBeInTheDocument();
  });

  it('says so when the job does not exist', async () => {
    installFakeEventSource();
    const server = fakeServer({
      'GET /api/v1/jobs/nope': () => json(404, { code: 'job.not_found', message: 'No such job', details: {} }),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { me: makeJobsMe(), route: '/jobs/nope', routes: [{ path: '/jobs/:id', element: <JobDetailPage /> }] });
    expect(await screen.findByText('Job not found')).toBeInTheDocument();
    expect(FakeEventSource.instances).toHaveLength(0);
  });
});

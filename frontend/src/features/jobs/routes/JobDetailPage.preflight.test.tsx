// A job's hooks and preflight against a scripted server and a fake EventSource: what a hook
// printed is marked [hook] in the log (apart from the agent's [agent] notes and restic's own
// lines), a backup's preflight findings are listed, and the classes hook_failed,
// preflight.failed and check.failed are explained (a forget a failed check holds cannot be approved).
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Job, Role } from '@/api/types';
import { FakeEventSource, installFakeEventSource } from '@/test/eventSource';
import { REPO_ID, makeJob, makeJobsMe, makeLogLine } from '@/test/jobs';
import { fakeServer, json, renderWithProviders } from '@/test/utils';
import { JobDetailPage } from './JobDetailPage';

function setup(job: Job, role: Role = 'operator') {
  installFakeEventSource();
  const server = fakeServer({ [`GET /api/v1/jobs/${job.id}`]: () => json(200, job) });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, {
    me: makeJobsMe(role),
    route: `/jobs/${job.id}`,
    routes: [{ path: '/jobs/:id', element: <JobDetailPage /> }],
  });
}

async function stream(): Promise<FakeEventSource> {
  await waitFor(() => expect(FakeEventSource.instances.length).toBeGreaterThan(0));
  const es = FakeEventSource.latest();
  act(() => es.open());
  return es;
}

const ended = { finished_at: '2025-03-01T10:00:05Z' };

describe('JobDetailPage hooks and preflight', () => {
  it('marks what a hook printed [hook], apart from the agent’s notes and restic’s lines', async () => {
    setup(makeJob({ status: 'running' }));
    const es = await stream();
    act(() => {
      es.emit('log', { kind: 'log', log: makeLogLine(1, { stream: 'agent', line: 'running the pre-hook' }) }, 1);
      es.emit('log', { kind: 'log', log: makeLogLine(2, { stream: 'hook', line: 'pg_dump: dumping app' }) }, 2);
      es.emit('log', { kind: 'log', log: makeLogLine(3, { stream: 'stdout', line: 'scan finished' }) }, 3);
    });
    await waitFor(() => expect(screen.getAllByTestId('log-line')).toHaveLength(3));
    const [agent, hook, stdout] = screen.getAllByTestId('log-line') as [HTMLElement, HTMLElement, HTMLElement];
    expect(hook).toHaveAttribute('data-stream', 'hook');
    expect(within(hook).getByTestId('log-mark')).toHaveTextContent('[hook]');
    expect(hook).toHaveTextContent(/\[hook\] pg_dump: dumping app$/);
    expect(hook).toHaveStyle({ background: 'var(--mantine-color-grape-light)' });
    expect(within(agent).getByTestId('log-mark')).toHaveTextContent('[agent]');
    expect(within(stdout).queryByTestId('log-mark')).not.toBeInTheDocument();
  });

  it('lists a backup’s preflight findings and explains a preflight block', async () => {
    setup(
      makeJob({
        status: 'blocked',
        ...ended,
        error_class: 'preflight.failed',
        error_message: 'Preflight found what stops this backup; restic did not run. /srv/data does not exist.',
        result: {
          outcome: 'blocked',
          unreadable: [],
          error_class: 'preflight.failed',
          findings: [
            { code: 'path.missing', severity: 'blocked', message: '/srv/data does not exist.' },
            { code: 'disk.low', severity: 'warning', message: 'Little room for restic’s cache.' },
          ],
        },
      }),
    );
    const alert = await screen.findByTestId('job-outcome');
    expect(alert).toHaveAttribute('data-outcome', 'blocked');
    expect(alert).toHaveTextContent('Blocked: the backup did not run');
    expect(within(alert).getByTestId('job-explanation')).toHaveTextContent('Blocked by the agent’s preflight: restic did not run.');
    const card = screen.getByTestId('job-findings');
    const findings = within(card).getAllByTestId('finding');
    expect(findings.map((f) => [f.getAttribute('data-severity'), f.textContent])).toEqual([
      ['blocked', 'Blocks: /srv/data does not exist.path.missing'],
      ['warning', 'Warning: Little room for restic’s cache.disk.low'],
    ]);
  });

  it('lists a backup’s extra restic options and puts them in its command line', async () => {
    const backup = { paths: ['/etc'], excludes: [], exclude_files: [], tags: [], one_file_system: false, extra_options: ['--exclude-caches', '--exclude-if-present=.no backup'] };
    setup(makeJob({ status: 'succeeded', ...ended, backup }));
    expect(await screen.findByTestId('spec-extra-options')).toHaveTextContent('--exclude-caches--exclude-if-present=.no backup');
    expect(screen.getByTestId('job-command')).toHaveTextContent(`restic backup --exclude-caches '--exclude-if-present=.no backup' /etc`);
  });

  it('shows no findings section when the preflight found nothing', async () => {
    setup(makeJob({ status: 'succeeded', ...ended, result: { outcome: 'succeeded', unreadable: [], findings: [] } }));
    await screen.findByRole('heading', { name: 'Log' });
    expect(screen.queryByTestId('job-findings')).not.toBeInTheDocument();
  });

  it('explains a failed pre-hook, and a failed post-hook after a finished backup', async () => {
    setup(
      makeJob({
        status: 'failed',
        ...ended,
        error_class: 'hook_failed',
        error_message: 'The pre-hook exited with code 2; the backup did not run',
        result: { outcome: 'failed', unreadable: [], findings: [], error_class: 'hook_failed' },
      }),
    );
    const alert = await screen.findByTestId('job-outcome');
    expect(within(alert).getByTestId('job-explanation')).toHaveTextContent('The pre-hook failed; the backup did not run.');
    expect(within(alert).getByTestId('job-error-class')).toHaveTextContent('hook_failed');
  });

  it('explains a post-hook failure as a warning on a finished backup', async () => {
    setup(
      makeJob({
        status: 'warning',
        ...ended,
        error_class: 'hook_failed',
        error_message: 'The post-hook exited with code 1.',
        result: { outcome: 'warning', unreadable: [], findings: [], error_class: 'hook_failed' },
      }),
    );
    const alert = await screen.findByTestId('job-outcome');
    expect(alert).toHaveTextContent('Finished with warnings: the post-hook failed');
    expect(alert).not.toHaveTextContent('the snapshot is incomplete');
    expect(within(alert).getByTestId('job-explanation')).toHaveTextContent('The post-hook failed; the backup itself finished.');
  });

  it('explains a forget held by a failed check, links the repository, and offers no approval', async () => {
    setup(
      makeJob({
        kind: 'forget',
        status: 'blocked',
        backup: undefined,
        ...ended,
        error_class: 'check.failed',
        error_message: 'Nothing removed: the check of sftp:backup@nas:/srv/restic found errors in this repository.',
        result: { outcome: 'blocked', unreadable: [], findings: [], error_class: 'check.failed' },
      }),
      'admin',
    );
    const alert = await screen.findByTestId('job-outcome');
    expect(alert).toHaveTextContent('Held: nothing was removed');
    const explanation = within(alert).getByTestId('job-explanation');
    expect(explanation).toHaveTextContent('Held: the repository’s last check found errors; run a check that passes.');
    expect(within(explanation).getByRole('link', { name: 'Open office-nas' })).toHaveAttribute('href', `/repositories/${REPO_ID}`);
    expect(screen.queryByRole('button', { name: 'Approve this run' })).not.toBeInTheDocument();
  });
});

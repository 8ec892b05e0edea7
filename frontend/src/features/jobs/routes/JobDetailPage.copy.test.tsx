// A copy to a mirror's job page: what it copied, how many snapshots in scope the mirror still
// lacks, and the newest snapshot on each side; no copy card for other kinds.
import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Job } from '@/api/types';
import { installFakeEventSource } from '@/test/eventSource';
import { makeJob, makeJobsMe } from '@/test/jobs';
import { fakeServer, json, renderWithProviders } from '@/test/utils';
import { JobDetailPage } from './JobDetailPage';

function setup(job: Job, extra: Record<string, () => Response> = {}) {
  installFakeEventSource();
  const server = fakeServer({ [`GET /api/v1/jobs/${job.id}`]: () => json(200, job), ...extra });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, { me: makeJobsMe('operator'), route: `/jobs/${job.id}`, routes: [{ path: '/jobs/:id', element: <JobDetailPage /> }] });
}

const copyJob = (copy: NonNullable<Job['result']>['copy'], status: Job['status'] = 'succeeded') =>
  makeJob({
    kind: 'copy',
    status,
    backup: undefined,
    repository_name: 'offsite-b2',
    finished_at: '2025-03-01T10:05:00Z',
    result: { outcome: status === 'warning' ? 'warning' : 'succeeded', unreadable: [], findings: [], copy },
  });

describe('JobDetailPage: copy to a mirror', () => {
  it('shows what the copy did: copied, missing of those in scope, newest on each side', async () => {
    setup(copyJob({ copied: 5, source_snapshots: 12, missing: 2, source_newest: '2025-03-01T10:00:00Z', copied_newest: '2025-02-28T22:00:00Z' }));
    const card = await screen.findByTestId('job-copy-report');
    expect(within(card).getByTestId('copy-copied')).toHaveTextContent(/^5$/);
    expect(within(card).getByTestId('copy-missing')).toHaveTextContent('2 of 12');
    expect(within(card).getByTestId('copy-verdict')).toHaveTextContent('2 of 12 snapshots in scope are not in the mirror.');
    expect(within(card).getByTestId('copy-source-newest')).toHaveTextContent(/2025/);
    expect(within(card).getByTestId('copy-copied-newest')).toHaveTextContent(/2025/);
    expect(within(card).getByTestId('copy-source-newest').textContent).not.toBe(within(card).getByTestId('copy-copied-newest').textContent);
    expect(screen.getByRole('heading', { level: 2 })).toHaveTextContent('Copy of snapshots to the mirror offsite-b2 through web-01');
  });

  it('says the mirror holds everything in scope', async () => {
    setup(copyJob({ copied: 0, source_snapshots: 12, missing: 0, source_newest: '2025-03-01T10:00:00Z', copied_newest: '2025-03-01T10:00:00Z' }));
    const card = await screen.findByTestId('job-copy-report');
    expect(within(card).getByTestId('copy-verdict')).toHaveTextContent('The mirror holds all 12 snapshots in scope.');
    expect(within(card).getByTestId('copy-copied')).toHaveTextContent(/^0$/);
  });

  it('says when the source has nothing in scope', async () => {
    setup(copyJob({ copied: 0, source_snapshots: 0, missing: 0 }));
    const card = await screen.findByTestId('job-copy-report');
    expect(within(card).getByTestId('copy-verdict')).toHaveTextContent('The source has no snapshot in the copy’s scope');
    expect(within(card).getByTestId('copy-source-newest')).toHaveTextContent('none');
    expect(within(card).getByTestId('copy-copied-newest')).toHaveTextContent('none');
  });

  it('names the source repository, linked, and the copy’s scope, before and after the result', async () => {
    const source = '0190c8a0-0000-7000-8000-00000000abcd';
    const job = { ...copyJob(null as never, 'running'), result: undefined, copy: { from_repository_id: source, host: 'db-1', tags: ['nightly'] } };
    setup(job, { [`GET /api/v1/repositories/${source}`]: () => json(200, { id: source, name: 'main-nas' }) });
    const card = await screen.findByTestId('job-copy-report');
    const line = await within(card).findByTestId('copy-source');
    await within(line).findByRole('link', { name: 'main-nas' });
    expect(within(line).getByRole('link', { name: 'main-nas' })).toHaveAttribute('href', `/repositories/${source}`);
    expect(line).toHaveTextContent('From main-nas: snapshots of host db-1, tagged nightly.');
    expect(within(card).queryByTestId('copy-verdict')).not.toBeInTheDocument();
  });

  it('has no copy card for a job without a copy result', async () => {
    setup(makeJob({ status: 'succeeded', result: { outcome: 'succeeded', unreadable: [], findings: [] } }));
    await screen.findByRole('heading', { level: 2 });
    expect(screen.queryByTestId('job-copy-report')).not.toBeInTheDocument();
  });
});

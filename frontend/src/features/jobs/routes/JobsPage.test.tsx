// The job history against a scripted server: filters in the URL become the request's query,
// choosing a filter writes the URL and starts again from the first page, "Load more" sends the
// cursor and appends, the count comes from the first page ("10,000+" when capped), and the empty
// states say what next.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Job } from '@/api/types';
import { HOST_ID, makeJob, makeJobsMe } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, renderWithProviders } from '@/test/utils';
import { JobsPage } from './JobsPage';

/** `n` finished jobs, newest first. */
function manyJobs(n: number): Job[] {
  return Array.from({ length: n }, (_, i) =>
    makeJob({ id: `job-${String(i).padStart(3, '0')}`, status: 'succeeded', finished_at: '2025-03-01T10:02:02Z' }),
  );
}

function setup(route: string, jobs: Job[] = [], options: { total?: number } = {}) {
  const server = fakeServer({
    'GET /api/v1/jobs': cursorList(jobs, options),
    'GET /api/v1/hosts': cursorList([makeHost(), makeHost({ id: 'h2', hostname: 'db-01' })]),
    'GET /api/v1/history-settings': () => json(200, { job_logs_days: 30, jobs_days: 180, jobs_keep_per_host: 20, audit_days: 400 }),
  });
  vi.stubGlobal('fetch', server.fetch);
  const rendered = renderWithProviders(null, { me: makeJobsMe('viewer'), route, routes: [{ path: '/jobs', element: <JobsPage /> }] });
  const lastQuery = () => new URL(server.calls('GET', '/api/v1/jobs').at(-1)?.url ?? 'http://x/').searchParams;
  return { server, lastQuery, ...rendered };
}

describe('JobsPage', () => {
  it('says how long jobs and their logs are kept', async () => {
    setup('/jobs', [makeJob()]);
    expect(await screen.findByTestId('jobs-retention')).toHaveTextContent(
      "Job logs are kept 30 days after a job ends; ended jobs 180 days (each host's newest 20",
    );
  });

  it('sends the filters from the URL with the request', async () => {
    const before = Date.now();
    const { lastQuery } = setup(`/jobs?host_id=${HOST_ID}&kind=backup&status=failed&range=24h&page=3`);
    await waitFor(() => expect(lastQuery().get('host_id')).toBe(HOST_ID));
    const q = lastQuery();
    expect(q.get('kind')).toBe('backup');
    expect(q.get('status')).toBe('failed');
    expect(q.get('limit')).toBe('25');
    // The first page, counted; an old link's page number means nothing any more.
    expect(q.get('with_total')).toBe('true');
    expect(q.has('cursor')).toBe(false);
    expect(q.has('offset')).toBe(false);
    const since = Date.parse(q.get('since') ?? '');
    expect(since).toBeGreaterThanOrEqual(before - 86_400_000 - 1000);
    expect(since).toBeLessThanOrEqual(Date.now() - 86_400_000 + 1000);
    expect(q.has('until')).toBe(false);
  });

  it('sends a custom range as RFC 3339 and ignores unknown values', async () => {
    const { lastQuery } = setup('/jobs?range=custom&since=2025-03-01T08:00&until=2025-03-02T08:00&status=bogus');
    await waitFor(() => expect(lastQuery().get('since')).toBe(new Date('2025-03-01T08:00').toISOString()));
    expect(lastQuery().get('until')).toBe(new Date('2025-03-02T08:00').toISOString());
    expect(lastQuery().has('status')).toBe(false);
  });

  it('"Load more" asks for the next page with the cursor and appends it', async () => {
    const { lastQuery, server } = setup('/jobs', manyJobs(60));
    expect(await screen.findAllByTestId('job-row')).toHaveLength(25);
    expect(screen.getByTestId('jobs-count')).toHaveTextContent('60 jobs');
    expect(screen.getByTestId('jobs-count-shown')).toHaveTextContent('showing 25');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('job-row')).toHaveLength(50));
    expect(lastQuery().get('cursor')).toBe('after-25');
    // Only the first page is counted.
    expect(lastQuery().has('with_total')).toBe(false);
    const ids = screen.getAllByTestId('job-row').map((r) => r.getAttribute('data-job-id'));
    expect(ids.slice(0, 3)).toEqual(['job-000', 'job-001', 'job-002']);
    expect(ids.slice(25, 27)).toEqual(['job-025', 'job-026']);
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('job-row')).toHaveLength(60));
    expect(lastQuery().get('cursor')).toBe('after-50');
    // The last page has no next_cursor: nothing more to load.
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    expect(screen.queryByTestId('jobs-count-shown')).not.toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/jobs')).toHaveLength(3);
  });

  it('shows a count the server stopped at as "10,000+"', async () => {
    setup('/jobs', manyJobs(30), { total: 12_345 });
    expect(await screen.findByTestId('jobs-count')).toHaveTextContent(`${(10_000).toLocaleString()}+ jobs`);
    expect(screen.getByRole('button', { name: 'Load more' })).toBeInTheDocument();
  });

  it('writes a chosen filter to the URL and asks again from the first page (no cursor)', async () => {
    const { lastQuery, router } = setup('/jobs?page=2', manyJobs(30));
    expect(await screen.findAllByTestId('job-row')).toHaveLength(25);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('job-row')).toHaveLength(30));
    expect(lastQuery().get('cursor')).toBe('after-25');
    await user.click(screen.getByRole('combobox', { name: 'Status' }));
    await user.click(await screen.findByRole('option', { name: 'Failed' }));
    await waitFor(() => expect(lastQuery().get('status')).toBe('failed'));
    expect(lastQuery().has('cursor')).toBe(false);
    expect(lastQuery().get('with_total')).toBe('true');
    const params = new URLSearchParams(router.state.location.search);
    expect(params.get('status')).toBe('failed');
    expect(params.has('page')).toBe(false);
  });

  it('lists jobs with their status, host, actor and what they did', async () => {
    setup('/jobs', [
      makeJob({
        status: 'succeeded',
        finished_at: '2025-03-01T10:02:02Z',
        summary: {
          files_new: 12,
          files_changed: 3,
          files_unmodified: 0,
          dirs_new: 0,
          dirs_changed: 0,
          dirs_unmodified: 0,
          data_added: 5 * 1024 * 1024,
          total_files_processed: 15,
          total_bytes_processed: 1,
          total_duration_secs: 120,
        },
      }),
      makeJob({ id: 'j2', status: 'failed', error_class: 'restic.wrong_password', finished_at: '2025-03-01T10:00:04Z' }),
    ]);
    const rows = await screen.findAllByTestId('job-row');
    expect(rows).toHaveLength(2);
    const [ok, failed] = rows as [HTMLElement, HTMLElement];
    expect(within(ok).getByTestId('job-status')).toHaveTextContent('Succeeded');
    expect(within(ok).getByRole('link', { name: 'Backup' })).toHaveAttribute('href', `/jobs/${makeJob().id}`);
    expect(within(ok).getByText('ada')).toBeInTheDocument();
    expect(within(ok).getByTestId('job-result')).toHaveTextContent('12 new, 3 changed · 5.00 MiB added');
    expect(within(ok).getByText('2 min 00 s')).toBeInTheDocument();
    expect(within(failed).getByTestId('job-result')).toHaveTextContent('restic.wrong_password');
    expect(screen.getByTestId('jobs-count')).toHaveTextContent('2 jobs');
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('says how to run a first backup when there are no jobs', async () => {
    setup('/jobs');
    const empty = await screen.findByTestId('jobs-empty');
    expect(empty).toHaveTextContent('No jobs yet');
    expect(empty).toHaveTextContent('Run backup now');
    expect(within(empty).getByRole('link', { name: 'Go to hosts' })).toHaveAttribute('href', '/hosts');
  });

  it('offers to clear filters when they hide everything', async () => {
    const { router } = setup('/jobs?status=lost');
    const empty = await screen.findByTestId('jobs-empty');
    expect(empty).toHaveTextContent('No jobs match these filters');
    await userEvent.setup().click(within(empty).getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
  });
});

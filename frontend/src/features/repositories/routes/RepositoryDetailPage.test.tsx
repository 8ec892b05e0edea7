// The repository page against a scripted server: the latest stats' figures, last check and
// prune, a queued job's "waiting for", the guard (admins edit it: PATCH with only `guard`),
// operations for operators (a check's body, then the job's page) but not viewers, and the
// admin-only "remove all locks" behind the typed name.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Job, Repository, Role } from '@/api/types';
import { HOST_ID, REPO_ID, makeJob, makeJobsMe } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, makeRepository, renderWithProviders } from '@/test/utils';
import { RepositoryDetailPage } from './RepositoryDetailPage';

const repo = makeRepository({ id: REPO_ID, name: 'office-nas' });
const host = makeHost({ id: HOST_ID, hostname: 'web-01', repository_ids: [REPO_ID] });
const STATS_ID = '40000000-0000-4000-8000-000000000051';
const CHECK_ID = '40000000-0000-4000-8000-000000000052';
const NEW_ID = '40000000-0000-4000-8000-000000000053';
const PRUNE_ID = '40000000-0000-4000-8000-000000000054';

const maint = (kind: Job['kind'], id: string, extra: Partial<Job> = {}) =>
  makeJob({ id, kind, status: 'succeeded', backup: undefined, created_at: '2025-03-01T09:00:00Z', finished_at: '2025-03-01T09:01:00Z', ...extra });

const stats = maint('stats', STATS_ID, {
  result: { outcome: 'succeeded', unreadable: [], findings: [], stats: { restore_size: 10 * 1024 ** 3, raw_size: 2.5 * 1024 ** 3, dedup_ratio: 4, snapshots: 12 } },
});
const check = maint('check', CHECK_ID, { status: 'failed' });
const prune = maint('prune', PRUNE_ID, { status: 'queued', waiting_for: '40000000-0000-4000-8000-0000000000ee', finished_at: undefined });

function setup(role: Role, { jobs = [stats, check, prune], shown = repo }: { jobs?: Job[]; shown?: Repository } = {}) {
  const server = fakeServer({
    [`GET /api/v1/repositories/${REPO_ID}`]: () => json(200, shown),
    'GET /api/v1/hosts': cursorList([host]),
    'GET /api/v1/jobs': (r) => {
      const kind = new URL(r.url).searchParams.get('kind');
      return json(200, { items: jobs.filter((j) => j.kind === kind).map((j) => ({ ...j, result: undefined })) });
    },
    [`GET /api/v1/jobs/${STATS_ID}`]: () => json(200, stats),
    [`POST /api/v1/repositories/${REPO_ID}/jobs`]: () => json(202, maint('check', NEW_ID, { status: 'queued' })),
    [`GET /api/v1/jobs/${NEW_ID}`]: () => json(200, maint('check', NEW_ID, { status: 'queued' })),
    [`POST /api/v1/repositories/${REPO_ID}/rotate-key`]: () => json(202, maint('key_add', NEW_ID, { status: 'queued' })),
    [`PATCH /api/v1/repositories/${REPO_ID}`]: () => json(200, { ...repo, guard: { max_delete_count: 5, max_delete_percent: 50, min_keep: 1 } }),
  });
  vi.stubGlobal('fetch', server.fetch);
  const rendered = renderWithProviders(null, {
    me: makeJobsMe(role),
    route: `/repositories/${REPO_ID}`,
    routes: [
      { path: '/repositories/:id', element: <RepositoryDetailPage /> },
      { path: '/jobs/:id', element: <p>job page</p> },
    ],
  });
  return { server, ...rendered, user: userEvent.setup() };
}

describe('RepositoryDetailPage', () => {
  it('shows the newest stats’ figures, the last check and prune, and what a queued job waits for', async () => {
    setup('viewer');
    const section = await screen.findByTestId('repository-stats');
    expect(await within(section).findByTestId('stats-restore-size')).toHaveTextContent('10.0 GiB');
    expect(within(section).getByTestId('stats-raw-size')).toHaveTextContent('2.50 GiB');
    expect(within(section).getByTestId('stats-dedup')).toHaveTextContent('4.00×');
    expect(within(section).getByTestId('stats-snapshots')).toHaveTextContent('12');
    await waitFor(() => expect(within(section).getByTestId('last-check')).toHaveAttribute('data-status', 'failed'));
    expect(within(section).getByTestId('last-prune')).toHaveAttribute('data-status', 'queued');
    expect(await screen.findByTestId('maintenance-waiting')).toHaveTextContent('queued: waiting for job 40000000');
    expect(screen.getAllByTestId('linked-host')[0]).toHaveTextContent('web-01');
    // A viewer reads it all but starts and edits nothing.
    expect(screen.queryByTestId('repository-operations')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit guard' })).not.toBeInTheDocument();
    expect(screen.getByTestId('guard-sentence')).toHaveTextContent('One forget removes at most 50 % of its snapshots');
  });

  it('shows the last check’s verdict, and puts forget and prune on hold after one that found errors', async () => {
    const verdict = { job_id: CHECK_ID, finished_at: '2025-03-01T09:01:00Z', passed: false };
    setup('operator', { shown: { ...repo, last_check: verdict } });
    const alert = await screen.findByTestId('check-failed-alert');
    expect(alert).toHaveAttribute('role', 'alert');
    expect(alert).toHaveTextContent(/The check on .*2025.* found errors\. Forget and prune are on hold until a check passes\./);
    expect(within(alert).getByRole('link', { name: 'Open the check' })).toHaveAttribute('href', `/jobs/${CHECK_ID}`);
    const tile = screen.getByTestId('last-check');
    expect(tile).toHaveAttribute('data-verdict', 'errors');
    expect(tile).toHaveTextContent('Found errors');
    expect(within(tile).getByTestId('last-check-link')).toHaveAttribute('href', `/jobs/${CHECK_ID}`);
  });

  it('shows a passed check without an alert', async () => {
    setup('viewer', { shown: { ...repo, last_check: { job_id: CHECK_ID, finished_at: '2025-03-01T09:01:00Z', passed: true } } });
    const tile = await screen.findByTestId('last-check');
    expect(tile).toHaveAttribute('data-verdict', 'passed');
    expect(tile).toHaveTextContent('Passed');
    expect(screen.queryByTestId('check-failed-alert')).not.toBeInTheDocument();
  });

  it('says what to do when nothing has run yet', async () => {
    setup('operator', { jobs: [] });
    expect(await screen.findByTestId('stats-empty')).toHaveTextContent('No stats yet. Run Stats below');
    expect(await screen.findByTestId('maintenance-empty')).toBeInTheDocument();
    expect(screen.getByTestId('last-check')).toHaveAttribute('data-status', 'none');
  });

  it('lets an operator start a check with a read-data subset, then opens the job', async () => {
    const { server, router, user } = setup('operator');
    const button = await screen.findByRole('button', { name: 'Check…' });
    await waitFor(() => expect(button).toBeEnabled());
    await user.click(button);
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/^Read data subset/), { target: { value: '10%' } });
    // The only online linked host is chosen already.
    await user.click(within(dialog).getByRole('button', { name: 'Start check' }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/jobs/${NEW_ID}`));
    const calls = server.calls('POST', `/api/v1/repositories/${REPO_ID}/jobs`);
    expect(calls).toHaveLength(1);
    expect(await calls[0]!.json()).toEqual({ host_id: HOST_ID, args: { kind: 'check', read_data_subset: '10%' } });
  });

  it('gives an operator the stale-lock unlock only', async () => {
    const { user } = setup('operator');
    await user.click(await screen.findByRole('button', { name: 'Unlock…' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Start unlock' })).toBeInTheDocument();
    expect(within(dialog).queryByRole('switch', { name: /Remove all locks/ })).not.toBeInTheDocument();
  });

  it('lets an admin remove every lock once the name is typed', async () => {
    const { server, user } = setup('admin');
    await user.click(await screen.findByRole('button', { name: 'Unlock…' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('switch', { name: /Remove all locks/ }));
    const start = within(dialog).getByRole('button', { name: 'Start unlock' });
    expect(start).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/^Type office-nas to confirm/), { target: { value: 'office-nas' } });
    expect(start).toBeEnabled();
    await user.click(start);
    await waitFor(() => expect(server.calls('POST', `/api/v1/repositories/${REPO_ID}/jobs`)).toHaveLength(1));
    expect(await server.calls('POST', `/api/v1/repositories/${REPO_ID}/jobs`)[0]!.json()).toEqual({
      host_id: HOST_ID,
      args: { kind: 'unlock', remove_all: true },
    });
  });

  it('lets an admin edit the guard, sending only the guard', async () => {
    const { server, user } = setup('admin');
    await user.click(await screen.findByRole('button', { name: 'Edit guard' }));
    fireEvent.change(screen.getByLabelText(/^Max snapshots per run/), { target: { value: '5' } });
    await user.click(screen.getByRole('button', { name: 'Save guard' }));
    await waitFor(() => expect(server.calls('PATCH', `/api/v1/repositories/${REPO_ID}`)).toHaveLength(1));
    expect(await server.calls('PATCH', `/api/v1/repositories/${REPO_ID}`)[0]!.json()).toEqual({
      guard: { max_delete_count: 5, max_delete_percent: 50, min_keep: 1 },
    });
  });

  it('lets an admin rotate the key through the online host, then opens the job', async () => {
    const { server, router, user } = setup('admin');
    const section = await screen.findByTestId('repository-key-rotation');
    expect(within(section).getByTestId('key-rotation-idle')).toHaveTextContent('the old key works until every linked host has the new one');
    const button = within(section).getByRole('button', { name: 'Rotate key' });
    await waitFor(() => expect(button).toBeEnabled());
    await user.click(button);
    await waitFor(() => expect(router.state.location.pathname).toBe(`/jobs/${NEW_ID}`));
    const calls = server.calls('POST', `/api/v1/repositories/${REPO_ID}/rotate-key`);
    expect(calls).toHaveLength(1);
    expect(await calls[0]!.json()).toEqual({ host_id: HOST_ID });
  });

  it('shows a rotation under way, and offers an operator no rotation', async () => {
    setup('operator', { shown: { ...repo, key_rotation: { state: 'waiting', started_at: '2025-03-01T09:00:00Z' } } });
    const state = await screen.findByTestId('key-rotation-state');
    expect(state).toHaveAttribute('data-state', 'waiting');
    expect(state).toHaveTextContent('The old key keeps working until each has it.');
    expect(screen.queryByRole('button', { name: 'Rotate key' })).not.toBeInTheDocument();
  });

  it('offers an admin the retry after a failed removal', async () => {
    setup('admin', { shown: { ...repo, key_rotation: { state: 'remove_failed', started_at: '2025-03-01T09:00:00Z' } } });
    expect(await screen.findByTestId('key-rotation-state')).toHaveTextContent('Removing the old key failed');
    expect(await screen.findByRole('button', { name: 'Retry removing the old key' })).toBeInTheDocument();
  });
});

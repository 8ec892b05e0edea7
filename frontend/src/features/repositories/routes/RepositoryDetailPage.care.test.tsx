// The repository page's scheduled check and lock state, in place: who sees which, the locks
// read only when asked (never on opening the page), and a stale lock's hint opening Unlock.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Role } from '@/api/types';
import { HOST_ID, REPO_ID, makeJobsMe } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, makeRepository, renderWithProviders } from '@/test/utils';
import { RepositoryDetailPage } from './RepositoryDetailPage';

const LOCKS = `/api/v1/repositories/${REPO_ID}/locks`;
const repo = makeRepository({
  id: REPO_ID,
  name: 'office-nas',
  check_schedule: { cron: '0 4 * * 0', timezone: 'UTC', description: 'At 04:00 on Sunday', next_at: '2090-01-07T04:00:00Z' },
});
const host = makeHost({ id: HOST_ID, hostname: 'web-01', repository_ids: [REPO_ID] });

function setup(role: Role) {
  const server = fakeServer({
    [`GET /api/v1/repositories/${REPO_ID}`]: () => json(200, repo),
    'GET /api/v1/hosts': cursorList([host]),
    'GET /api/v1/jobs': () => json(200, { items: [] }),
    [`GET /api/v1/repositories/${REPO_ID}/copies`]: () => json(200, { items: [] }),
    [`GET ${LOCKS}`]: () =>
      json(200, {
        via_host_id: HOST_ID,
        via_hostname: 'web-01',
        checked_at: '2025-03-01T10:00:00Z',
        locks: [{ hostname: 'web-01', pid: 4242, username: 'root', exclusive: false, since: '2025-03-01T09:00:00Z', stale: true, host_id: HOST_ID }],
      }),
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, {
    me: makeJobsMe(role),
    route: `/repositories/${REPO_ID}`,
    routes: [{ path: '/repositories/:id', element: <RepositoryDetailPage /> }],
  });
  return { server, user: userEvent.setup() };
}

describe('RepositoryDetailPage: scheduled check and locks', () => {
  it('shows a viewer the scheduled check but neither its editing nor the locks', async () => {
    setup('viewer');
    const section = await screen.findByTestId('repository-check-schedule');
    expect(within(section).getByTestId('check-schedule-sentence')).toHaveTextContent('Checked at 04:00 on Sunday (UTC)');
    expect(within(section).queryByRole('button')).not.toBeInTheDocument();
    expect(screen.queryByTestId('repository-locks')).not.toBeInTheDocument();
  });

  it('lets an admin edit the scheduled check', async () => {
    setup('admin');
    const section = await screen.findByTestId('repository-check-schedule');
    expect(within(section).getByRole('button', { name: 'Edit schedule' })).toBeInTheDocument();
    expect(within(section).getByRole('button', { name: 'Remove schedule' })).toBeInTheDocument();
  });

  it('gives an operator the locks on request, and a stale one’s hint opens Unlock', async () => {
    const { server, user } = setup('operator');
    const section = await screen.findByTestId('repository-locks');
    // An operator may not change the scheduled check.
    expect(within(screen.getByTestId('repository-check-schedule')).queryByRole('button')).not.toBeInTheDocument();
    const check = within(section).getByRole('button', { name: 'Check locks' });
    await waitFor(() => expect(check).toBeEnabled());
    expect(server.calls('GET', LOCKS)).toHaveLength(0);
    await user.click(check);
    const hint = await within(section).findByTestId('locks-stale-hint');
    expect(within(section).getByTestId('lock-stale')).toHaveTextContent('stale: Unlock removes it');
    await user.click(within(hint).getByRole('button', { name: 'Unlock…' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Start unlock' })).toBeInTheDocument();
    expect(server.calls('GET', LOCKS)).toHaveLength(1);
  });
});

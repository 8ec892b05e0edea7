// The host page's job parts against a scripted server: "Run backup now" only for roles that
// may run jobs, and the recent jobs with links into the jobs pages. The snapshots panel comes
// from the snapshots feature through the page's slot (src/app/routes/HostPage.test.tsx).
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Role } from '@/api/types';
import { REPO_ID, makeJob, makeJobsMe } from '@/test/jobs';
import { cursorList, fakeServer, hostSeenBy, json, makeHost, makeMe, makeRepository, renderWithProviders } from '@/test/utils';
import { HostDetailPage } from './HostDetailPage';

const repo = makeRepository();
const host = makeHost({ repository_ids: [REPO_ID] });

function setup(role: Role) {
  const server = fakeServer({
    [`GET /api/v1/hosts/${host.id}`]: () => json(200, hostSeenBy(makeMe(role), host)),
    'GET /api/v1/hosts': cursorList([host]),
    'GET /api/v1/repositories': () => json(200, { items: [repo] }),
    'GET /api/v1/jobs': cursorList([
      makeJob({ status: 'running', progress: undefined }),
      makeJob({ id: 'older', status: 'failed', error_class: 'restic.locked' }),
    ]),
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, {
    me: makeJobsMe(role),
    route: `/hosts/${host.id}`,
    routes: [{ path: '/hosts/:id', element: <HostDetailPage /> }],
  });
  return server;
}

describe('HostDetailPage jobs', () => {
  it('lets an operator open "Run backup now" and lists recent jobs', async () => {
    const server = setup('operator');
    const recent = await screen.findByTestId('recent-jobs');
    const lines = await within(recent).findAllByTestId('recent-job');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toHaveAttribute('href', `/jobs/${makeJob().id}`);
    expect(lines[1]).toHaveAttribute('data-status', 'failed');
    expect(within(recent).getByRole('link', { name: 'All jobs of web-01' })).toHaveAttribute('href', `/jobs?host_id=${host.id}`);
    // The recent jobs' list (the last drill is asked for apart, with kind=drill).
    const recentCall = server.calls('GET', '/api/v1/jobs').find((c) => !new URL(c.url).searchParams.has('kind'));
    const query = new URL(recentCall?.url ?? 'http://x').searchParams;
    expect(query.get('host_id')).toBe(host.id);
    expect(query.get('limit')).toBe('5');

    await userEvent.setup().click(screen.getByRole('button', { name: 'Run backup now' }));
    expect(await screen.findByRole('dialog', { name: 'Back up web-01 now' })).toBeInTheDocument();
  });

  it('shows a viewer the jobs but no way to run a backup', async () => {
    setup('viewer');
    expect(await screen.findAllByTestId('recent-job')).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Run backup now' })).not.toBeInTheDocument();
  });

  it('shows no snapshots panel when its slot is left empty', async () => {
    const server = setup('operator');
    await screen.findByTestId('recent-jobs');
    expect(screen.queryByTestId('snapshots-section')).not.toBeInTheDocument();
    expect(server.calls('GET', `/api/v1/hosts/${host.id}/snapshots`)).toHaveLength(0);
  });
});

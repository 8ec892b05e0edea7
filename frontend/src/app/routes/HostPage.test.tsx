// The host page as the app composes it: the hosts feature's page with the snapshots feature's
// panel and the schedules feature's tab in its slots, through the real route table; the panel's
// "Run backup now" opens the page's own backup dialog, a viewer gets the snapshots without a way
// to run or refresh, and the Schedules tab is read from and written to the URL.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Me, Role, Snapshot } from '@/api/types';
import { REPO_ID, makeJobsMe, makeSnapshot } from '@/test/jobs';
import { makeSchedule, makeScheduleList } from '@/test/schedules';
import { cursorList, fakeServer, hostSeenBy, json, makeHost, makeMe, makeRepository, readyInfo, renderWithProviders } from '@/test/utils';
import { routes } from '../router';

const repo = makeRepository();
const host = makeHost({ repository_ids: [REPO_ID], tags: ['web'] });

function setup(role: Role, snapshots: Snapshot[], route = `/hosts/${host.id}`, me: Me = makeJobsMe(role)) {
  const server = fakeServer({
    'GET /api/v1/info': () => json(200, readyInfo),
    'GET /api/v1/auth/me': () => json(200, me),
    [`GET /api/v1/hosts/${host.id}`]: () => json(200, hostSeenBy(me, host)),
    'GET /api/v1/hosts': cursorList([host]),
    'GET /api/v1/repositories': () => json(200, { items: [repo] }),
    'GET /api/v1/jobs': cursorList([]),
    [`GET /api/v1/hosts/${host.id}/snapshots`]: cursorList(snapshots),
    [`GET /api/v1/hosts/${host.id}/schedules`]: () => json(200, makeScheduleList([makeSchedule()])),
  });
  vi.stubGlobal('fetch', server.fetch);
  const { router } = renderWithProviders(null, { routes, route, me, info: readyInfo });
  return { server, router };
}

describe('host page composition', () => {
  it("puts the snapshots panel on the host page, wired to the page's backup dialog", async () => {
    setup('operator', []);
    const section = await screen.findByTestId('snapshots-section');
    expect(within(section).getByRole('button', { name: 'Refresh' })).toBeInTheDocument();
    const empty = await within(section).findByTestId('snapshots-empty');
    await userEvent.setup().click(within(empty).getByRole('button', { name: 'Run backup now' }));
    expect(await screen.findByRole('dialog', { name: 'Back up web-01 now' })).toBeInTheDocument();
  });

  it('offers "Run backup now" to a user whose only operator role is host-scoped, but not the global actions', async () => {
    // Role none over all hosts, operator on `web`, which this host carries: its my_permissions has backups_run.
    const me = makeMe('none', { bindings: [{ role: 'operator', tags: ['web'] }] });
    setup('none', [makeSnapshot()], `/hosts/${host.id}`, me);
    expect(await screen.findByRole('button', { name: 'Run backup now' })).toBeInTheDocument();
    const section = await screen.findByTestId('snapshots-section');
    expect(within(section).getByRole('button', { name: 'Refresh' })).toBeInTheDocument();
    // Deleting the host needs hosts_delete over all hosts.
    expect(screen.queryByRole('button', { name: 'Delete host' })).not.toBeInTheDocument();
  });

  it('shows a viewer the snapshots but no way to run or refresh', async () => {
    setup('viewer', [makeSnapshot()]);
    const section = await screen.findByTestId('snapshots-section');
    expect(await within(section).findByTestId('snapshot-row')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Run backup now' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Refresh' })).not.toBeInTheDocument();
  });

  it('opens the Schedules tab from the URL, and writes the tab to it', async () => {
    const { router, server } = setup('operator', [], `/hosts/${host.id}?tab=schedules`);
    expect(await screen.findByRole('tab', { name: 'Schedules' })).toHaveAttribute('aria-selected', 'true');
    expect(await screen.findByTestId('schedule-row')).toHaveTextContent('Every day at 03:00');
    // The overview is not mounted behind it: its snapshots are not asked for.
    expect(screen.queryByTestId('snapshots-section')).not.toBeInTheDocument();
    expect(server.calls('GET', `/api/v1/hosts/${host.id}/snapshots`)).toHaveLength(0);
    const user = userEvent.setup();
    await user.click(screen.getByRole('tab', { name: 'Overview' }));
    expect(await screen.findByTestId('snapshots-section')).toBeInTheDocument();
    expect(router.state.location.search).toBe('');
    await user.click(screen.getByRole('tab', { name: 'Schedules' }));
    await waitFor(() => expect(router.state.location.search).toBe('?tab=schedules'));
    expect(await screen.findByTestId('schedules-section')).toBeInTheDocument();
  });
});

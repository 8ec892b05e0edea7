// The host's snapshots against a scripted server: sizes in human units, the job that made a
// snapshot, "Load more" by cursor, the repository filter starting again from the first page, the
// empty state, "Refresh" showing its job until the list is read, the Size column, and the
// "List | Calendar" switch kept in the URL with the sizes timeline jumping to a snapshot's day.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Host, Repository, Role, Snapshot } from '@/api/types';
import { JOB_ID, REPO_ID, makeJob, makeJobsMe, makeSnapshot } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { SNAPSHOTS_PAGE_SIZE } from '../api';
import { addedLabel, sizeLabel } from './SnapshotsTable';
import { SnapshotsSection } from './SnapshotsSection';

const host = makeHost({ repository_ids: [REPO_ID] });

interface Options {
  role?: Role;
  h?: Host;
  repositories?: Repository[];
  extra?: Record<string, Handler>;
  route?: string;
}

/** `n` snapshots, newest first. */
function manySnapshots(n: number): Snapshot[] {
  return Array.from({ length: n }, (_, i) => {
    const hex = i.toString(16).padStart(8, '0');
    return makeSnapshot({ id: hex.repeat(8), short_id: hex });
  });
}

function setup(list: Snapshot[] | Handler, { role = 'operator', h = host, repositories = [makeRepository()], extra = {}, route = '/' }: Options = {}) {
  const onRunBackup = vi.fn();
  const path = `/api/v1/hosts/${h.id}/snapshots`;
  const server = fakeServer({
    [`GET ${path}`]: typeof list === 'function' ? list : cursorList(list),
    ...extra,
  });
  vi.stubGlobal('fetch', server.fetch);
  const me = makeJobsMe(role);
  const { router } = renderWithProviders(
    <SnapshotsSection host={h} repositories={repositories} canRun={me.permissions.includes('jobs_run')} onRunBackup={onRunBackup} />,
    { me, route },
  );
  // The list's own pages (the calendar reads every snapshot with bigger pages besides).
  const listCalls = () => server.calls('GET', path).filter((r) => new URL(r.url).searchParams.get('limit') === String(SNAPSHOTS_PAGE_SIZE));
  const lastQuery = () => new URL(listCalls().at(-1)?.url ?? 'http://x/').searchParams;
  return { server, onRunBackup, lastQuery, router, user: userEvent.setup() };
}

describe('SnapshotsSection', () => {
  it('formats the data a snapshot added, links its job, and copies the full id', async () => {
    setup([
      makeSnapshot(),
      makeSnapshot({ id: 'ffff0000'.repeat(8), short_id: 'ffff0000', data_added: undefined, job_id: undefined, tags: [] }),
    ]);
    const rows = await screen.findAllByTestId('snapshot-row');
    const [mine, outside] = rows as [HTMLElement, HTMLElement];
    expect(within(mine).getByTestId('snapshot-short-id')).toHaveTextContent('a1b2c3d4');
    expect(within(mine).getByTestId('snapshot-added')).toHaveTextContent('1.50 MiB');
    expect(within(mine).getByText('/home')).toBeInTheDocument();
    expect(within(mine).getByText('manual')).toBeInTheDocument();
    expect(within(mine).getAllByRole('link', { name: 'View job' })[0]).toHaveAttribute('href', `/jobs/${JOB_ID}`);
    expect(within(mine).getByRole('button', { name: 'Copy snapshot id a1b2c3d4' })).toBeInTheDocument();
    expect(within(outside).getByTestId('snapshot-added')).toHaveTextContent('—');
    expect(within(outside).getByText('outside Cairn')).toBeInTheDocument();
    expect(screen.getByTestId('snapshots-count')).toHaveTextContent('2 snapshots');
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('opens a snapshot’s browser at its root, in its repository, from “Browse”', async () => {
    const snap = makeSnapshot();
    setup([snap]);
    const row = await screen.findByTestId('snapshot-row');
    expect(row).toHaveAttribute('data-repository-id', REPO_ID);
    expect(within(row).getByRole('link', { name: 'Browse snapshot a1b2c3d4' })).toHaveAttribute(
      'href',
      `/hosts/${host.id}/snapshots/${snap.id}?repo=${REPO_ID}`,
    );
  });

  it('sends “Find a file in all snapshots” with Enter to the search page', async () => {
    const { router, user } = setup([makeSnapshot()]);
    const box = await screen.findByRole('textbox', { name: 'Find a file in all snapshots' });
    expect(screen.getByRole('button', { name: 'Find' })).toBeDisabled();
    await user.type(box, '  *.conf {Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe(`/hosts/${host.id}/snapshots/search`));
    expect(new URLSearchParams(router.state.location.search).get('q')).toBe('*.conf');
  });

  it('formats sizes in binary units', () => {
    expect(addedLabel({ data_added: 0 })).toBe('0 B');
    expect(addedLabel({ data_added: 512 })).toBe('512 B');
    expect(addedLabel({ data_added: 1536 })).toBe('1.50 KiB');
    expect(addedLabel({ data_added: 123 * 1024 * 1024 })).toBe('123 MiB');
    expect(addedLabel({ data_added: 5.5 * 1024 ** 4 })).toBe('5.50 TiB');
    expect(addedLabel({})).toBe('—');
    expect(sizeLabel({ size: 1536 })).toBe('1.50 KiB');
    expect(sizeLabel({})).toBe('—');
  });

  it('shows each snapshot’s size, or a dash when Cairn did not record it', async () => {
    setup([makeSnapshot({ size: 5 * 1024 ** 3, files: 10 }), makeSnapshot({ id: 'ffff0000'.repeat(8), short_id: 'ffff0000', size: undefined })]);
    const rows = await screen.findAllByTestId('snapshot-row');
    expect(within(rows[0] as HTMLElement).getByTestId('snapshot-size')).toHaveTextContent('5.00 GiB');
    expect(within(rows[1] as HTMLElement).getByTestId('snapshot-size')).toHaveTextContent('—');
    expect(screen.getByRole('columnheader', { name: 'Size' })).toBeInTheDocument();
  });

  it('loads more snapshots with the cursor and appends them', async () => {
    const { lastQuery, user } = setup(manySnapshots(23));
    expect(await screen.findAllByTestId('snapshot-row')).toHaveLength(10);
    expect(screen.getByTestId('snapshots-count')).toHaveTextContent('23 snapshots');
    expect(lastQuery().get('with_total')).toBe('true');
    expect(lastQuery().has('cursor')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('snapshot-row')).toHaveLength(20));
    expect(lastQuery().get('cursor')).toBe('after-10');
    expect(lastQuery().has('with_total')).toBe(false);
    expect(screen.getAllByTestId('snapshot-short-id').map((e) => e.textContent)[10]).toBe('0000000a');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('snapshot-row')).toHaveLength(23));
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('starts again from the first page when the repository filter changes', async () => {
    const other = makeRepository({ id: '30000000-0000-4000-8000-000000000002', name: 'offsite' });
    const { lastQuery, user } = setup(manySnapshots(15), {
      h: makeHost({ repository_ids: [REPO_ID, other.id] }),
      repositories: [makeRepository(), other],
    });
    expect(await screen.findAllByTestId('snapshot-row')).toHaveLength(10);
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('snapshot-row')).toHaveLength(15));
    await user.click(screen.getByRole('combobox', { name: 'Filter snapshots by repository' }));
    await user.click(await screen.findByRole('option', { name: 'offsite' }));
    await waitFor(() => expect(lastQuery().get('repository_id')).toBe(other.id));
    expect(lastQuery().has('cursor')).toBe(false);
    expect(lastQuery().get('with_total')).toBe('true');
    await waitFor(() => expect(screen.getAllByTestId('snapshot-row')).toHaveLength(10));
  });

  it('says to run a backup when there are none, with the button for people who may', async () => {
    const { onRunBackup, user } = setup([]);
    const empty = await screen.findByTestId('snapshots-empty');
    expect(empty).toHaveTextContent('No snapshots yet');
    expect(empty).toHaveTextContent('Run a backup to make the first one.');
    await user.click(within(empty).getByRole('button', { name: 'Run backup now' }));
    expect(onRunBackup).toHaveBeenCalledTimes(1);
  });

  it('gives a viewer the empty state without buttons', async () => {
    setup([], { role: 'viewer' });
    const empty = await screen.findByTestId('snapshots-empty');
    expect(empty).toHaveTextContent('An operator or administrator can run a backup of this host.');
    expect(within(empty).queryByRole('button')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Refresh' })).not.toBeInTheDocument();
  });

  it('refreshes the list through a job, shows it, and reads the snapshots again when it ends', async () => {
    const refreshJob = makeJob({ id: 'refresh-1', kind: 'snapshots', status: 'queued', backup: undefined });
    let reads = 0;
    let jobReads = 0;
    let refreshBody: unknown = null;
    const { user, server } = setup(
      () => {
        reads += 1;
        return json(200, { items: reads > 1 ? [makeSnapshot()] : [], total: reads > 1 ? 1 : 0, total_capped: false });
      },
      {
        extra: {
          [`POST /api/v1/hosts/${host.id}/snapshots/refresh`]: async (r) => {
            refreshBody = await r.json();
            return json(202, refreshJob);
          },
          'GET /api/v1/jobs/refresh-1': () => {
            jobReads += 1;
            return json(200, { ...refreshJob, status: jobReads > 1 ? 'succeeded' : 'running' });
          },
        },
      },
    );
    await screen.findByTestId('snapshots-empty');
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(refreshBody).toEqual({ repository_id: REPO_ID });
    const status = await screen.findByTestId('refresh-status');
    expect(within(status).getByRole('link', { name: 'View job' })).toHaveAttribute('href', '/jobs/refresh-1');
    await waitFor(() => expect(screen.getByTestId('refresh-status')).toHaveAttribute('data-status', 'succeeded'), { timeout: 4000 });
    expect(await screen.findByTestId('snapshot-row')).toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/jobs/refresh-1').length).toBeGreaterThanOrEqual(2);
  });

  describe('calendar', () => {
    const GiB = 1024 ** 3;
    // Local dates, newest first: two in March 2026, one in January.
    const march9 = makeSnapshot({ id: 'aa000001'.repeat(8), short_id: 'aa000001', time: new Date(2026, 2, 9, 4).toISOString(), size: 3 * GiB, files: 30 });
    const march2 = makeSnapshot({ id: 'aa000002'.repeat(8), short_id: 'aa000002', time: new Date(2026, 2, 2, 4).toISOString(), size: 2 * GiB, files: 20 });
    const january = makeSnapshot({ id: 'aa000003'.repeat(8), short_id: 'aa000003', time: new Date(2026, 0, 20, 4).toISOString(), size: GiB, files: 10 });
    const dated = [march9, march2, january];
    const search = (router: { state: { location: { search: string } } }) => new URLSearchParams(router.state.location.search);

    it('switches to the calendar, keeps it in the URL as snapview=calendar, and back to the list', async () => {
      const { router, user } = setup(dated);
      await screen.findAllByTestId('snapshot-row');
      expect(screen.queryByTestId('snapshot-calendar')).not.toBeInTheDocument();
      await user.click(within(screen.getByTestId('snapshots-view')).getByText('Calendar'));
      await waitFor(() => expect(search(router).get('snapview')).toBe('calendar'));
      expect(await screen.findByTestId('snapshot-calendar')).toBeInTheDocument();
      expect(screen.queryByTestId('snapshots-table')).not.toBeInTheDocument();
      expect(screen.getByTestId('calendar-month')).toHaveTextContent('March 2026');
      await user.click(within(screen.getByTestId('snapshots-view')).getByText('List'));
      await waitFor(() => expect(search(router).has('snapview')).toBe(false));
      expect(await screen.findByTestId('snapshots-table')).toBeInTheDocument();
    });

    it('opens on the calendar from the URL and lists a picked day', async () => {
      const { user } = setup(dated, { route: '/?snapview=calendar' });
      await screen.findByTestId('snapshot-calendar');
      const days = screen.getAllByTestId('calendar-day').filter((d) => d.getAttribute('data-count') !== '0');
      expect(days.map((d) => d.getAttribute('data-date'))).toEqual(['2026-03-02', '2026-03-09']);
      await user.click(days[1] as HTMLElement);
      const item = within(screen.getByTestId('calendar-day-list')).getByTestId('calendar-snapshot');
      expect(item).toHaveAttribute('data-snapshot-id', march9.id);
      expect(item).toHaveTextContent('3.00 GiB');
      expect(within(item).getByRole('link', { name: 'Browse and restore snapshot aa000001' })).toHaveAttribute(
        'href',
        `/hosts/${host.id}/snapshots/${march9.id}?repo=${REPO_ID}`,
      );
    });

    it('jumps from a timeline bar to its snapshot’s day in the calendar', async () => {
      const { router, user } = setup(dated);
      const bars = await screen.findAllByTestId('timeline-bar');
      expect(bars).toHaveLength(3);
      const bar = bars.find((b) => b.getAttribute('data-snapshot-id') === january.id) as HTMLElement;
      expect(bar).toHaveAccessibleName(/^Snapshot aa000003, .*, 1\.00 GiB$/);
      await user.click(bar);
      await waitFor(() => expect(search(router).get('snapview')).toBe('calendar'));
      expect(await screen.findByTestId('calendar-month')).toHaveTextContent('January 2026');
      const day = screen.getAllByTestId('calendar-day').find((d) => d.getAttribute('data-date') === '2026-01-20');
      expect(day).toHaveAttribute('aria-pressed', 'true');
      const item = screen.getByTestId('calendar-snapshot');
      expect(item).toHaveAttribute('data-snapshot-id', january.id);
      expect(item).toHaveAttribute('data-highlighted', 'true');
      expect(screen.getAllByTestId('timeline-bar').find((b) => b.getAttribute('data-snapshot-id') === january.id)).toHaveAttribute('aria-pressed', 'true');
    });

    it('draws no timeline and no calendar switch when there are no snapshots', async () => {
      setup([], { route: '/?snapview=calendar' });
      await screen.findByTestId('snapshots-empty');
      expect(screen.queryByTestId('snapshots-view')).not.toBeInTheDocument();
      expect(screen.queryByTestId('snapshot-timeline')).not.toBeInTheDocument();
      expect(screen.queryByTestId('snapshot-calendar')).not.toBeInTheDocument();
    });
  });
});

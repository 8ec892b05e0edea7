// The home restore drills tile against a scripted server: none yet, the newest succeeded (its files
// and time to restore read from the job itself), and the newest failed with the last verified restore beside it.
import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Job } from '@/api/types';
import { JOB_ID, makeJob } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, makeMe, makePendingHost, renderWithProviders } from '@/test/utils';
import { HomePage } from './HomePage';

const VERIFIED_ID = '40000000-0000-4000-8000-0000000000aa';
const drill = { snapshot_id: 'c'.repeat(64), files: 20, bytes: 2048, restore_ms: 1234, verified: true, mismatches: [] };
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

/** The jobs endpoint answering `newest` for kind=drill and `succeeded` for kind=drill&status=succeeded; one job read whole. */
function setup(newest: Job[], succeeded: Job[] = [], whole?: Job) {
  const server = fakeServer({
    'GET /api/v1/hosts': cursorList([makeHost()]),
    'GET /api/v1/pending-hosts': () => json(200, { items: [makePendingHost()] }),
    'GET /api/v1/jobs': (r) => (new URL(r.url).searchParams.get('status') === 'succeeded' ? cursorList(succeeded) : cursorList(newest))(r),
    ...(whole ? { [`GET /api/v1/jobs/${whole.id}`]: () => json(200, whole) } : {}),
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<HomePage />, { me: makeMe('viewer') });
  return server;
}

const queries = (server: ReturnType<typeof fakeServer>) =>
  server.calls('GET', '/api/v1/jobs').map((r) => Object.fromEntries(new URL(r.url).searchParams));

describe('HomePage restore drills tile', () => {
  it('says when no drill has run yet, and where to start one', async () => {
    const server = setup([]);
    const empty = await screen.findByTestId('drill-tile-empty');
    expect(empty).toHaveTextContent('No restore drill has run yet — open a host and schedule one.');
    expect(within(empty).getByRole('link', { name: 'open a host' })).toHaveAttribute('href', '/hosts');
    expect(queries(server)[0]).toEqual({ kind: 'drill', limit: '1' });
  });

  it('shows the newest drill that succeeded: host, state, when, files and time to restore, linking to its job', async () => {
    const row = makeJob({ kind: 'drill', status: 'succeeded', hostname: 'web-01', finished_at: hoursAgo(2) });
    const server = setup([row], [], { ...row, result: { outcome: 'succeeded', unreadable: [], findings: [], drill } });
    const tile = await screen.findByTestId('drill-tile');
    expect(await within(tile).findByTestId('drill-tile-report')).toHaveTextContent('20 files · restored in 1.2 s · verified');
    expect(within(tile).getByTestId('drill-tile-latest')).toHaveAttribute('href', `/jobs/${JOB_ID}`);
    expect(within(tile).getByTestId('drill-tile-latest')).toHaveTextContent('web-01');
    expect(within(tile).getByTestId('job-status')).toHaveAttribute('data-status', 'succeeded');
    expect(tile).toHaveTextContent('2 hours ago');
    expect(within(tile).queryByTestId('drill-tile-verified')).not.toBeInTheDocument();
    // The list row had no result: the job was read whole, and nothing else was asked.
    expect(queries(server)).toEqual([{ kind: 'drill', limit: '1' }]);
    expect(server.calls('GET', `/api/v1/jobs/${JOB_ID}`)).toHaveLength(1);
  });

  it('shows a failed newest drill with the last verified restore beside it', async () => {
    const failed = makeJob({ kind: 'drill', status: 'failed', hostname: 'db-02', finished_at: hoursAgo(1), error_message: 'restic: no snapshot found' });
    const verified = makeJob({ id: VERIFIED_ID, kind: 'drill', status: 'succeeded', hostname: 'web-01', finished_at: hoursAgo(72) });
    const server = setup([failed], [verified]);
    const tile = await screen.findByTestId('drill-tile');
    const last = await within(tile).findByTestId('drill-tile-verified');
    expect(tile).toHaveAttribute('data-state', 'failed');
    expect(within(tile).getByTestId('drill-tile-latest')).toHaveTextContent('db-02');
    expect(within(tile).getAllByTestId('job-status').map((b) => b.getAttribute('data-status'))).toEqual(['failed', 'succeeded']);
    expect(tile).toHaveTextContent('restic: no snapshot found');
    expect(last).toHaveTextContent(/Last verified restore\s*web-01\s*Succeeded\s*3 days ago/);
    expect(within(last).getByTestId('drill-tile-verified-job')).toHaveAttribute('href', `/jobs/${VERIFIED_ID}`);
    // Two requests: the newest drill, then the newest that succeeded.
    expect(queries(server)).toEqual([
      { kind: 'drill', limit: '1' },
      { kind: 'drill', status: 'succeeded', limit: '1' },
    ]);
  });
});

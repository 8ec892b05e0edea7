// The diff page against a scripted server: totals, rows and the change chips; asking again
// while sizes are unknown; the first snapshot's own message.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { paths, patterns } from '@/lib/paths';
import { HOST_ID, REPO_ID, makeSnapshot } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, makeMe, renderWithProviders, type Handler } from '@/test/utils';
import { SnapshotDiffPage } from './SnapshotDiffPage';

const snapshot = makeSnapshot();
const FROM = 'b'.repeat(64);
const diffPath = `/api/v1/hosts/${HOST_ID}/snapshots/${snapshot.id}/diff`;

function answer(overrides: Record<string, unknown> = {}) {
  return {
    from: FROM,
    to: snapshot.id,
    repository_id: REPO_ID,
    agent_ms: 3,
    round_trip_ms: 9,
    sizes_known: true,
    total: 3,
    by_change: [
      { change: 'added', count: 1 },
      { change: 'removed', count: 1 },
      { change: 'modified', count: 1 },
    ],
    truncated: false,
    totals: { added_files: 1, removed_files: 1, changed_files: 1, added_dirs: 0, removed_dirs: 0, added_bytes: 4096, removed_bytes: 0 },
    changes: [
      { path: '/etc/new.conf', change: 'added', kind: 'file', size_after: 100 },
      { path: '/etc/old.conf', change: 'removed', kind: 'file', size_before: 50 },
      { path: '/etc/hosts', change: 'modified', kind: 'file', size_before: 10, size_after: 20 },
    ],
    ...overrides,
  };
}

function setup(handler: Handler) {
  const server = fakeServer({
    [`GET /api/v1/hosts/${HOST_ID}`]: () => json(200, makeHost({ id: HOST_ID })),
    [`GET /api/v1/hosts/${HOST_ID}/snapshots`]: cursorList([snapshot]),
    [`GET ${diffPath}`]: handler,
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, {
    me: makeMe('viewer'),
    route: paths.snapshotDiff(HOST_ID, snapshot.id, { repositoryId: REPO_ID }),
    routes: [{ path: patterns.snapshotDiff, element: <SnapshotDiffPage /> }],
  });
  return server;
}

describe('SnapshotDiffPage', () => {
  it('shows the totals and the changes; a chip asks the server for the other kinds only', async () => {
    const user = userEvent.setup();
    // Like the real server: `change` narrows the rows and the total, `by_change` stays whole.
    const server = setup((request) => {
      const kinds = new URL(request.url).searchParams.getAll('change');
      const all = answer();
      const changes = kinds.length ? all.changes.filter((c) => kinds.includes(c.change)) : all.changes;
      return json(200, { ...all, changes, total: changes.length });
    });
    expect(await screen.findByTestId('diff-totals')).toHaveTextContent(/Files added1/);
    expect(screen.getAllByTestId('diff-row')).toHaveLength(3);
    expect(screen.getByText('10 B → 20 B')).toBeInTheDocument();
    const first = new URL(server.calls('GET', diffPath)[0]?.url ?? 'http://x').searchParams;
    expect(first.get('repository_id')).toBe(REPO_ID);
    expect(first.getAll('change')).toEqual([]);
    // Only kinds that occur get a chip, each with its count.
    expect(screen.getByTestId('diff-chip-removed')).toHaveAttribute('data-count', '1');
    expect(screen.queryByTestId('diff-chip-metadata')).not.toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'Removed · 1' }));
    await waitFor(() => expect(screen.getAllByTestId('diff-row').map((r) => r.getAttribute('data-change'))).toEqual(['added', 'modified']));
    const last = new URL(server.calls('GET', diffPath).at(-1)?.url ?? 'http://x').searchParams;
    expect(last.getAll('change')).toEqual(['added', 'modified']);
    expect(screen.getByTestId('diff-count')).toHaveTextContent('2 changed paths');
    // The removed chip stays (unticked) with its count, so it can be ticked again.
    expect(screen.getByRole('checkbox', { name: 'Removed · 1' })).not.toBeChecked();
  });

  it('keeps at least one kind chosen', async () => {
    const user = userEvent.setup();
    const server = setup(() => json(200, answer({ changes: [{ path: '/etc/new.conf', change: 'added', kind: 'file', size_after: 100 }], total: 1, by_change: [{ change: 'added', count: 1 }] })));
    await screen.findByTestId('diff-table');
    await user.click(screen.getByRole('checkbox', { name: 'Added · 1' }));
    expect(screen.getByRole('checkbox', { name: 'Added · 1' })).toBeChecked();
    expect(server.calls('GET', diffPath).every((r) => new URL(r.url).searchParams.getAll('change').length === 0)).toBe(true);
  });

  it('asks again while the sizes are not known yet', async () => {
    let n = 0;
    setup(() => {
      n += 1;
      return json(200, n === 1 ? answer({ sizes_known: false }) : answer());
    });
    expect(await screen.findByTestId('diff-sizes-pending')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('diff-sizes-pending')).not.toBeInTheDocument(), { timeout: 4000 });
    expect(n).toBeGreaterThanOrEqual(2);
  });

  it('says when the snapshot is the first one', async () => {
    setup(() => json(409, { code: 'snapshot.no_parent', message: 'No snapshot before this one.', details: {} }));
    expect(await screen.findByTestId('diff-no-parent')).toHaveTextContent('This is the first snapshot: there is nothing before it');
    expect(screen.queryByTestId('diff-table')).not.toBeInTheDocument();
  });
});

// Finding files across a host's snapshots against a scripted server: results grouped by path,
// then version, with the snapshots as dated chips (newest first) linking to the browser at the
// file's folder; "still being read" asked again until it is done; truncated; the empty answer;
// the repository picked when snapshots are in two; the server's message on a refusal.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Snapshot, SnapshotSearch } from '@/api/types';
import { formatDateTime } from '@/lib/format';
import { paths, patterns, type SnapshotSearchLink } from '@/lib/paths';
import { HOST_ID, REPO_ID, makeSnapshot } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, makeMe, renderWithProviders, type Handler } from '@/test/utils';
import { SnapshotSearchPage, defaultRepository } from './SnapshotSearchPage';

const OTHER_REPO = '30000000-0000-4000-8000-000000000002';
const older = makeSnapshot({ id: '1'.repeat(64), short_id: '11111111', time: '2025-02-01T10:00:00Z' });
const newer = makeSnapshot({ id: '2'.repeat(64), short_id: '22222222', time: '2025-03-01T10:00:00Z' });
const newest = makeSnapshot({ id: '3'.repeat(64), short_id: '33333333', time: '2025-03-05T10:00:00Z' });
const searchPath = `/api/v1/hosts/${HOST_ID}/snapshots/search`;

function answer(overrides: Partial<SnapshotSearch> = {}): SnapshotSearch {
  return {
    repository_id: REPO_ID,
    pattern: 'nginx.conf',
    paths: [],
    truncated: false,
    searched: [older.id, newer.id, newest.id],
    indexing: [],
    snapshots: [older, newer, newest].map((s) => ({ id: s.id, short_id: s.short_id, time: s.time })),
    catalog_ms: 3,
    round_trip_ms: 21,
    ...overrides,
  };
}

function setup(handler: Handler, link: SnapshotSearchLink = { q: 'nginx.conf' }, snapshots: Snapshot[] = [newest, newer, older], linked = [REPO_ID]) {
  const server = fakeServer({
    [`GET /api/v1/hosts/${HOST_ID}`]: () => json(200, makeHost({ id: HOST_ID, repository_ids: linked })),
    [`GET /api/v1/hosts/${HOST_ID}/snapshots`]: cursorList(snapshots),
    [`GET ${searchPath}`]: handler,
  });
  vi.stubGlobal('fetch', server.fetch);
  const view = renderWithProviders(null, {
    me: makeMe('viewer'),
    route: paths.snapshotSearch(HOST_ID, link),
    routes: [
      { path: patterns.snapshotSearch, element: <SnapshotSearchPage /> },
      { path: patterns.snapshot, element: <p>browser</p> },
    ],
  });
  const asked = () => server.calls('GET', searchPath).map((r) => new URL(r.url).searchParams);
  return { asked, router: view.router, user: userEvent.setup() };
}

describe('SnapshotSearchPage', () => {
  it('groups by path and version, with dated snapshot chips linking to the file’s folder', async () => {
    const { asked } = setup(() =>
      json(
        200,
        answer({
          paths: [
            {
              path: '/etc/nginx/nginx.conf',
              versions: [
                { kind: 'file', size: 2048, mtime: '2025-01-10T09:00:00Z', mode: 0o644, snapshots: [older.id] },
                { kind: 'file', size: 4096, mtime: '2025-02-15T09:00:00Z', mode: 0o600, snapshots: [newer.id, newest.id] },
              ],
            },
            { path: '/srv/site/nginx.conf', versions: [{ kind: 'file', size: 10, mtime: '2025-01-01T00:00:00Z', mode: 0o644, snapshots: [newest.id] }] },
          ],
        }),
      ),
    );
    const results = await screen.findAllByTestId('search-path');
    expect(results.map((r) => r.getAttribute('data-path'))).toEqual(['/etc/nginx/nginx.conf', '/srv/site/nginx.conf']);
    expect(asked()[0]?.get('q')).toBe('nginx.conf');
    expect(asked()[0]?.has('repository_id')).toBe(false); // one repository: the server knows which
    const first = within(results[0] as HTMLElement);
    expect(first.getByText('2 different versions')).toBeInTheDocument();
    const versions = first.getAllByTestId('search-version');
    expect(versions).toHaveLength(2);
    expect(within(versions[0] as HTMLElement).getByTestId('search-version-facts')).toHaveTextContent('File · 2.00 KiB · modified');
    expect(within(versions[0] as HTMLElement).getByTestId('search-version-facts')).toHaveTextContent('-rw-r--r-- · in 1 snapshot');
    expect(within(versions[1] as HTMLElement).getByTestId('search-version-facts')).toHaveTextContent('4.00 KiB · modified');
    expect(within(versions[1] as HTMLElement).getByTestId('search-version-facts')).toHaveTextContent('-rw------- · in 2 snapshots');
    // Chips: newest first, short id and date, each opening the browser at the folder with the name filtered.
    const chips = within(versions[1] as HTMLElement).getAllByTestId('search-snapshot-chip');
    expect(chips.map((c) => c.getAttribute('data-snapshot-id'))).toEqual([newest.id, newer.id]);
    expect(chips[0]).toHaveTextContent(`33333333${formatDateTime(newest.time)}`);
    expect(chips[1]).toHaveAttribute('href', paths.snapshot(HOST_ID, newer.id, { repositoryId: REPO_ID, path: '/etc/nginx', filter: 'nginx.conf' }));
    expect(screen.getByTestId('search-summary')).toHaveTextContent('2 paths match “nginx.conf” in 3 snapshots');
    expect(screen.queryByTestId('search-truncated')).not.toBeInTheDocument();
    expect(screen.queryByTestId('search-indexing')).not.toBeInTheDocument();
  });

  it('says snapshots are still being read and searches again until they all are', async () => {
    let calls = 0;
    const found = { path: '/etc/hosts', versions: [{ kind: 'file' as const, size: 20, mtime: '2025-01-01T00:00:00Z', mode: 0o644, snapshots: [newer.id] }] };
    const { asked } = setup(() => {
      calls += 1;
      return calls === 1
        ? json(200, answer({ pattern: 'hosts', paths: [found], searched: [newer.id], indexing: [older.id, newest.id] }))
        : json(200, answer({ pattern: 'hosts', paths: [{ ...found, versions: [{ ...found.versions[0]!, snapshots: [newer.id, newest.id] }] }] }));
    });
    const note = await screen.findByTestId('search-indexing');
    expect(note).toHaveTextContent('2 snapshots are still being read; results will grow.');
    expect(screen.getAllByTestId('search-snapshot-chip')).toHaveLength(1);
    await waitFor(() => expect(screen.queryByTestId('search-indexing')).not.toBeInTheDocument(), { timeout: 4000 });
    expect(screen.getAllByTestId('search-snapshot-chip')).toHaveLength(2);
    expect(asked()).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 2300));
    expect(asked()).toHaveLength(2); // done: no more asking
  });

  it('says when the list is cut short, and when nothing matches', async () => {
    const { user } = setup((request) => {
      const q = new URL(request.url).searchParams.get('q');
      if (q === 'zzz') return json(200, answer({ pattern: 'zzz' }));
      return json(200, answer({ pattern: 'conf', truncated: true, paths: [{ path: '/a.conf', versions: [{ kind: 'file', size: 1, mtime: '2025-01-01T00:00:00Z', mode: 0o644, snapshots: [older.id] }] }] }));
    }, { q: 'conf' });
    expect(await screen.findByTestId('search-truncated')).toHaveTextContent('Narrow your search');
    const box = screen.getByRole('textbox', { name: 'Find a file in all snapshots' });
    await user.clear(box);
    await user.type(box, 'zzz{Enter}');
    expect(await screen.findByTestId('search-empty')).toHaveTextContent('No path matches zzz in 3 snapshots');
    expect(screen.queryByTestId('search-truncated')).not.toBeInTheDocument();
  });

  it('searches the linked repository’s snapshots when they are in two, and offers the other', async () => {
    const mirrored = makeSnapshot({ id: '4'.repeat(64), short_id: '44444444', time: '2025-04-01T00:00:00Z', repository_id: OTHER_REPO, repository_name: 'mirror' });
    const { asked, user } = setup(() => json(200, answer()), { q: 'x' }, [mirrored, newest, older]);
    await waitFor(() => expect(asked()).toHaveLength(1));
    expect(asked()[0]?.get('repository_id')).toBe(REPO_ID);
    await user.click(screen.getByRole('combobox', { name: 'Repository to search' }));
    await user.click(await screen.findByRole('option', { name: 'mirror' }));
    await waitFor(() => expect(asked().at(-1)?.get('repository_id')).toBe(OTHER_REPO));
    expect(defaultRepository([mirrored, newest], [], null)).toBe(OTHER_REPO); // none linked: the newest
    expect(defaultRepository([newest, older], [REPO_ID], null)).toBeNull(); // one repository
  });

  it('searches one snapshot when asked, and shows the server’s message on a refusal', async () => {
    const message = 'web-01 has no snapshots in this repository yet.';
    const { asked } = setup(() => json(409, { code: 'snapshot.none', message, details: {} }), { q: 'x', snapshotId: newer.id });
    expect(await screen.findByRole('alert')).toHaveTextContent(message);
    expect(asked()[0]?.get('snapshot_id')).toBe(newer.id);
    expect(screen.getByTestId('search-only-snapshot')).toHaveTextContent('Only snapshot 22222222');
  });
});

// The snapshot browser against a scripted server: the agent reading the snapshot, then the
// listing; breadcrumbs and folder rows changing the URL's path (and what is asked); the sort
// headers (aria-sort, URL, request); "Load more" by offset; the read-through note; the empty
// and no-match states; an error's own message.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { SnapshotTree, TreeEntry } from '@/api/types';
import { paths, patterns, type SnapshotLink } from '@/lib/paths';
import { HOST_ID, REPO_ID, makeSnapshot } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, makeMe, renderWithProviders, type Handler } from '@/test/utils';
import { SnapshotBrowserPage } from './SnapshotBrowserPage';

const snapshot = makeSnapshot();
const host = makeHost({ id: HOST_ID, repository_ids: [REPO_ID] });
const treePath = `/api/v1/hosts/${HOST_ID}/snapshots/${snapshot.id}/tree`;

function entry(overrides: Partial<TreeEntry> = {}): TreeEntry {
  return { name: 'notes.txt', kind: 'file', size: 1536, mtime: '2025-02-20T08:30:00Z', mode: 0o644, uid: 1000, gid: 100, ...overrides };
}

function tree(overrides: Partial<SnapshotTree> = {}): SnapshotTree {
  return {
    snapshot_id: snapshot.id,
    repository_id: REPO_ID,
    path: '/',
    entries: [],
    total: 0,
    offset: 0,
    catalog_ms: 2,
    round_trip_ms: 15,
    ...overrides,
  };
}

/** A directory answer for whatever `path` was asked, from `listing` (path → entries). */
function listingHandler(listing: Record<string, TreeEntry[]>): Handler {
  return (request) => {
    const q = new URL(request.url).searchParams;
    const path = q.get('path') ?? '/';
    const entries = listing[path];
    if (!entries) return json(404, { code: 'not_found', message: `No directory ${path} in this snapshot.`, details: {} });
    const offset = Number(q.get('offset') ?? 0);
    const limit = Number(q.get('limit') ?? 200);
    return json(200, tree({ path, entries: entries.slice(offset, offset + limit), total: entries.length, offset }));
  };
}

function setup(handler: Handler, at: SnapshotLink = {}) {
  const server = fakeServer({
    [`GET /api/v1/hosts/${HOST_ID}`]: () => json(200, host),
    [`GET /api/v1/hosts/${HOST_ID}/snapshots`]: cursorList([snapshot]),
    [`GET ${treePath}`]: handler,
  });
  vi.stubGlobal('fetch', server.fetch);
  const view = renderWithProviders(null, {
    me: makeMe('viewer'),
    route: paths.snapshot(HOST_ID, snapshot.id, { repositoryId: REPO_ID, ...at }),
    routes: [{ path: patterns.snapshot, element: <SnapshotBrowserPage /> }],
  });
  const asked = () => server.calls('GET', treePath).map((r) => new URL(r.url).searchParams);
  const location = () => new URLSearchParams(view.router.state.location.search);
  return { server, asked, location, router: view.router, user: userEvent.setup() };
}

const rowNames = () => screen.getAllByTestId('tree-row').map((r) => r.getAttribute('data-name'));

describe('SnapshotBrowserPage', () => {
  it('shows the agent reading the snapshot, asks again every second, then lists the root', async () => {
    let calls = 0;
    const { asked } = setup(() => {
      calls += 1;
      if (calls === 1) return json(200, tree({ indexing: { started: false, paths_read: 0 } }));
      if (calls === 2) return json(200, tree({ indexing: { started: true, paths_read: 12345 } }));
      return json(200, tree({ entries: [entry({ name: 'home', kind: 'dir', size: 0, mode: 0o755 })], total: 1 }));
    });
    expect(await screen.findByText('Waiting for another snapshot to be read first')).toBeInTheDocument();
    expect(await screen.findByText('Reading the snapshot… 12,345 paths read', {}, { timeout: 4000 })).toBeInTheDocument();
    expect(screen.queryByTestId('tree-table')).not.toBeInTheDocument();
    expect(await screen.findByTestId('tree-table', {}, { timeout: 4000 })).toBeInTheDocument();
    expect(screen.queryByTestId('snapshot-indexing')).not.toBeInTheDocument();
    expect(rowNames()).toEqual(['home']);
    expect(asked().length).toBe(3);
    expect(asked()[0]?.get('repository_id')).toBe(REPO_ID);
    expect(asked()[0]?.get('path')).toBe('/');
    // Once read, it stops asking.
    await new Promise((r) => setTimeout(r, 1300));
    expect(asked().length).toBe(3);
    // The header says which snapshot, when and where.
    expect(screen.getByTestId('browser-snapshot-id')).toHaveTextContent('a1b2c3d4');
    expect(screen.getByTestId('snapshot-facts')).toHaveTextContent('office-nas');
  });

  it('walks folders by rows and breadcrumbs, keeping the path in the URL', async () => {
    const { asked, location, router, user } = setup(
      listingHandler({
        '/home/ada': [entry({ name: 'docs', kind: 'dir', size: 0, mode: 0o755 }), entry()],
        '/home/ada/docs': [entry({ name: 'cv.pdf', size: 20_000 })],
        '/home': [entry({ name: 'ada', kind: 'dir', size: 0 })],
        '/': [entry({ name: 'home', kind: 'dir', size: 0 })],
      }),
      { path: '/home/ada' },
    );
    await screen.findByTestId('tree-table');
    const crumbs = within(screen.getByTestId('path-breadcrumbs'));
    expect(crumbs.getByText('ada')).toHaveAttribute('aria-current', 'page');
    // A folder row is a link that opens it.
    await user.click(screen.getByRole('link', { name: 'Open folder docs' }));
    await waitFor(() => expect(location().get('path')).toBe('/home/ada/docs'));
    await waitFor(() => expect(rowNames()).toEqual(['cv.pdf']));
    expect(asked().at(-1)?.get('path')).toBe('/home/ada/docs');
    // Files are not links.
    expect(screen.queryByRole('link', { name: /^cv\.pdf/ })).not.toBeInTheDocument();
    // A middle breadcrumb goes up two levels; the root one to the top.
    await user.click(within(screen.getByTestId('path-breadcrumbs')).getByRole('link', { name: 'home' }));
    await waitFor(() => expect(location().get('path')).toBe('/home'));
    await waitFor(() => expect(rowNames()).toEqual(['ada']));
    await user.click(within(screen.getByTestId('path-breadcrumbs')).getByRole('link', { name: 'Snapshot root' }));
    await waitFor(() => expect(location().has('path')).toBe(false));
    await waitFor(() => expect(rowNames()).toEqual(['home']));
    expect(asked().at(-1)?.get('path')).toBe('/');
    expect(screen.getByRole('button', { name: 'Parent folder' })).toBeDisabled();
    // Back returns to the folder before.
    await router.navigate(-1);
    await waitFor(() => expect(rowNames()).toEqual(['ada']));
    expect(router.state.location.search).toContain('path=%2Fhome');
  });

  it('sorts from the column headers: aria-sort, the URL and the request follow', async () => {
    const { asked, location, user } = setup(listingHandler({ '/': [entry({ name: 'a.txt' }), entry({ name: 'b.txt' })] }));
    await screen.findByTestId('tree-table');
    const header = (name: string) => screen.getByRole('columnheader', { name: new RegExp(`^${name}`) });
    expect(header('Name')).toHaveAttribute('aria-sort', 'ascending');
    expect(header('Size')).toHaveAttribute('aria-sort', 'none');
    await user.click(within(header('Size')).getByRole('button'));
    await waitFor(() => expect(location().get('sort')).toBe('size'));
    expect(location().get('desc')).toBe('1');
    await waitFor(() => expect(asked().at(-1)?.get('sort')).toBe('size'));
    expect(asked().at(-1)?.get('descending')).toBe('true');
    expect(header('Size')).toHaveAttribute('aria-sort', 'descending');
    expect(header('Name')).toHaveAttribute('aria-sort', 'none');
    // Again: the other way.
    await user.click(within(header('Size')).getByRole('button'));
    await waitFor(() => expect(location().has('desc')).toBe(false));
    await waitFor(() => expect(asked().at(-1)?.get('descending')).toBe('false'));
    expect(header('Size')).toHaveAttribute('aria-sort', 'ascending');
    // Keyboard: Enter on "Modified" sorts newest first.
    within(header('Modified')).getByRole('button').focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(location().get('sort')).toBe('mtime'));
    expect(header('Modified')).toHaveAttribute('aria-sort', 'descending');
  });

  it('shows size, mode as ls -l, owner, and loads more by offset', async () => {
    const many = Array.from({ length: 230 }, (_, i) => entry({ name: `f-${String(i).padStart(3, '0')}`, size: i === 0 ? 1536 : 10 }));
    const { asked, user } = setup(listingHandler({ '/': [entry({ name: 'bin', kind: 'dir', size: 0, mode: 0o755 }), ...many] }));
    await screen.findByTestId('tree-table');
    expect(screen.getByTestId('tree-count')).toHaveTextContent('Showing 200 of 231');
    const dir = screen.getAllByTestId('tree-row')[0] as HTMLElement;
    expect(within(dir).getByTestId('tree-mode')).toHaveTextContent('drwxr-xr-x');
    expect(within(dir).getByTestId('tree-size')).toHaveTextContent('—');
    const file = screen.getAllByTestId('tree-row')[1] as HTMLElement;
    expect(within(file).getByTestId('tree-size')).toHaveTextContent('1.50 KiB');
    expect(within(file).getByTestId('tree-mode')).toHaveTextContent('-rw-r--r--');
    expect(within(file).getAllByText('1000:100').length).toBeGreaterThan(0);
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('tree-row')).toHaveLength(231));
    expect(asked().at(-1)?.get('offset')).toBe('200');
    expect(screen.getByTestId('tree-count')).toHaveTextContent('231 entries');
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('says plainly when another host read the snapshot', async () => {
    setup(() => json(200, tree({ entries: [entry()], total: 1, read_through: { host_id: 'h2', hostname: 'db-02' } })));
    const note = await screen.findByTestId('read-through');
    expect(note).toHaveTextContent('Read through host db-02: web-01 is offline');
  });

  it('shows the server’s message when no agent can read it', async () => {
    const message = 'web-01 is offline and no other host linked to repository office-nas is online: start one of their agents to read its snapshots.';
    setup(() => json(409, { code: 'repository.no_online_host', message, details: {} }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(message);
    expect(alert).toHaveTextContent('repository.no_online_host');
    expect(screen.queryByTestId('tree-table')).not.toBeInTheDocument();
  });

  it('offers the way back to the root when a folder is not in the snapshot', async () => {
    setup(listingHandler({ '/': [entry()] }), { path: '/gone' });
    expect(await screen.findByRole('alert')).toHaveTextContent('No directory /gone in this snapshot.');
    expect(screen.getByRole('link', { name: 'Go to the snapshot\'s root' })).toHaveAttribute('href', paths.snapshot(HOST_ID, snapshot.id, { repositoryId: REPO_ID }));
  });

  it('tells an empty directory from a filter that matches nothing, and filters through the URL', async () => {
    const { asked, location, user } = setup(
      (request) => {
        const q = new URL(request.url).searchParams;
        if (q.get('path') === '/empty') return json(200, tree({ path: '/empty' }));
        const filter = q.get('filter') ?? '';
        const all = [entry({ name: 'alpha.txt' }), entry({ name: 'beta.txt' })].filter((e) => e.name.includes(filter));
        return json(200, tree({ entries: all, total: all.length }));
      },
      { path: '/empty' },
    );
    expect(await screen.findByTestId('tree-empty')).toHaveTextContent('This directory is empty in this snapshot');
    await user.click(within(screen.getByTestId('path-breadcrumbs')).getByRole('link', { name: 'Snapshot root' }));
    await screen.findByTestId('tree-table');
    await user.type(screen.getByRole('textbox', { name: 'Filter this folder' }), 'zeta');
    await waitFor(() => expect(location().get('filter')).toBe('zeta'));
    await waitFor(() => expect(asked().at(-1)?.get('filter')).toBe('zeta'));
    expect(await screen.findByTestId('tree-no-match')).toHaveTextContent('Nothing in this folder matches “zeta”');
    expect(screen.queryByTestId('tree-empty')).not.toBeInTheDocument();
    await user.click(within(screen.getByTestId('tree-no-match')).getByRole('button', { name: 'Clear filter' }));
    await waitFor(() => expect(rowNames()).toEqual(['alpha.txt', 'beta.txt']));
    expect(location().has('filter')).toBe(false);
  });
});

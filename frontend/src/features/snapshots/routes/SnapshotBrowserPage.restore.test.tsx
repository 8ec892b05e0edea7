// Restoring from the snapshot browser against a scripted server: picking rows (kept across
// folders), the wizard's steps, the preview it asks for, the body it sends, a refusal shown on
// the field it names, the targets only `restores_anywhere` offers, and the download links.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Me, SnapshotTree, TreeEntry } from '@/api/types';
import { paths, patterns } from '@/lib/paths';
import { HOST_ID, JOB_ID, REPO_ID, makeJob, makeSnapshot } from '@/test/jobs';
import { cursorList, fakeServer, json, hostSeenBy, makeHost, makeMe, renderWithProviders, type Handler } from '@/test/utils';
import { SnapshotBrowserPage } from './SnapshotBrowserPage';

const snapshot = makeSnapshot();
const host = makeHost({ id: HOST_ID, hostname: 'web-01', repository_ids: [REPO_ID], tags: ['web'] });
const base = `/api/v1/hosts/${HOST_ID}`;

const entry = (name: string, kind: TreeEntry['kind']): TreeEntry => ({ name, kind, size: 10, mtime: '2025-02-20T08:30:00Z', mode: 0o644, uid: 0, gid: 0 });
const listing: Record<string, TreeEntry[]> = { '/': [entry('etc', 'dir'), entry('notes.txt', 'file')], '/etc': [entry('hosts', 'file')] };

const treeHandler: Handler = (request) => {
  const path = new URL(request.url).searchParams.get('path') ?? '/';
  const entries = listing[path] ?? [];
  const tree: SnapshotTree = { snapshot_id: snapshot.id, repository_id: REPO_ID, path, entries, total: entries.length, offset: 0, catalog_ms: 1, round_trip_ms: 1 };
  return json(200, tree);
};

const preview = { bytes: 20, create: 2, overwrite: 0, keep: 0, delete: 0, elapsed_ms: 1, fits: true, free_bytes: 1 << 30, paths: [] };

function setup(me: Me, restore: Handler = () => json(202, makeJob({ kind: 'restore', status: 'queued' }))) {
  const server = fakeServer({
    [`GET ${base}`]: () => json(200, hostSeenBy(me, host)),
    [`GET ${base}/snapshots`]: cursorList([snapshot]),
    [`GET ${base}/snapshots/${snapshot.id}/tree`]: treeHandler,
    [`POST ${base}/restores/preview`]: () => json(200, preview),
    [`POST ${base}/restores`]: restore,
  });
  vi.stubGlobal('fetch', server.fetch);
  const view = renderWithProviders(null, {
    me,
    route: paths.snapshot(HOST_ID, snapshot.id, { repositoryId: REPO_ID }),
    routes: [
      { path: patterns.snapshot, element: <SnapshotBrowserPage /> },
      { path: patterns.job, element: <p>job page</p> },
    ],
  });
  return { server, ...view };
}

async function bodyOf(request: Request | undefined): Promise<Record<string, unknown>> {
  return (await request?.json()) as Record<string, unknown>;
}

describe('SnapshotBrowserPage restore', () => {
  it('keeps picked paths across folders, previews, and sends the restore', async () => {
    const user = userEvent.setup();
    const { server, router } = setup(makeMe('operator'));
    await user.click(await screen.findByRole('checkbox', { name: 'Select notes.txt' }));
    await user.click(screen.getByRole('link', { name: 'Open folder etc' }));
    await user.click(await screen.findByRole('checkbox', { name: 'Select hosts' }));
    expect(screen.getByTestId('restore-selected-count')).toHaveTextContent('2 selected');

    await user.click(screen.getByTestId('restore-open'));
    const wizard = await screen.findByTestId('restore-wizard');
    expect(within(wizard).getByTestId('restore-paths')).toHaveTextContent('/etc/hosts/notes.txt');
    await user.click(within(wizard).getByTestId('restore-next'));
    // An operator may only restore into a new directory on this host.
    expect(screen.queryByTestId('target-original')).not.toBeInTheDocument();
    const dir = screen.getByTestId('target-path');
    await user.clear(dir);
    await user.type(dir, 'relative{Enter}');
    expect(await screen.findByText(/An absolute path/)).toBeInTheDocument();
    await user.clear(dir);
    await user.type(dir, '/srv/restore{Enter}');
    await user.click(await screen.findByTestId('overwrite-never'));
    await user.click(screen.getByTestId('restore-next'));
    expect(await screen.findByTestId('restore-preview')).toBeInTheDocument();
    const previewBody = await bodyOf(server.calls('POST', `${base}/restores/preview`)[0]);
    expect(previewBody).toMatchObject({ paths: ['/etc/hosts', '/notes.txt'], target: { mode: 'new_path', path: '/srv/restore' }, overwrite: 'never' });

    await user.click(screen.getByTestId('restore-next'));
    await user.click(await screen.findByTestId('restore-start'));
    await waitFor(() => expect(router.state.location.pathname).toBe(paths.job(JOB_ID)));
    const body = await bodyOf(server.calls('POST', `${base}/restores`)[0]);
    expect(body).toMatchObject({ snapshot_id: snapshot.id, repository_id: REPO_ID, paths: ['/etc/hosts', '/notes.txt'], overwrite: 'never', confirm_risk: false });
    expect(body).not.toHaveProperty('confirm_hostname');
  });

  it('asks for the host name at the original location and shows a refusal next to its field', async () => {
    const user = userEvent.setup();
    const admin = makeMe('admin');
    const me = { ...admin, permissions: [...admin.permissions, 'restores_anywhere' as const] };
    const { server } = setup(me, () =>
      json(400, { code: 'restore.needs_confirmation', message: 'Confirm restoring into a system directory.', details: { field: 'confirm_risk' } }),
    );
    await user.click(await screen.findByTestId('restore-folder'));
    await user.click(await screen.findByTestId('restore-next'));
    await user.click(screen.getByTestId('target-original'));
    await user.click(screen.getByTestId('restore-next'));
    await user.click(screen.getByTestId('restore-next'));
    await screen.findByTestId('restore-preview');
    await user.click(screen.getByTestId('restore-next'));
    const start = await screen.findByTestId('restore-start');
    expect(start).toBeDisabled();
    // The new step's first input takes the focus.
    await waitFor(() => expect(screen.getByTestId('confirm-hostname')).toHaveFocus());
    await user.keyboard('web-01');
    expect(start).toBeEnabled();
    await user.click(start);
    expect(await screen.findByText('Confirm restoring into a system directory.')).toBeInTheDocument();
    expect(screen.getByTestId('confirm-risk')).toBeInTheDocument();
    const body = await bodyOf(server.calls('POST', `${base}/restores`)[0]);
    expect(body).toMatchObject({ target: { mode: 'original' }, confirm_hostname: 'web-01' });
    expect(body).not.toHaveProperty('paths.0');
  });

  it('offers no download nor restore to a viewer (snapshots_download is an operator permission)', async () => {
    setup(makeMe('viewer'));
    expect(await screen.findByText('notes.txt')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Download notes.txt' })).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox', { name: 'Select notes.txt' })).not.toBeInTheDocument();
  });

  it('offers downloads: a file as it is, a folder as an archive', async () => {
    const user = userEvent.setup();
    // A host-scoped operator role is enough: the server decides per host.
    setup(makeMe('viewer', { bindings: [{ role: 'operator', tags: ['web'] }] }));
    const file = await screen.findByRole('link', { name: 'Download notes.txt' });
    const href = new URL(file.getAttribute('href') ?? '', 'http://x');
    expect(href.pathname).toBe(`${base}/snapshots/${snapshot.id}/download`);
    expect(href.searchParams.get('path')).toBe('/notes.txt');
    expect(href.searchParams.get('format')).toBe('raw');
    expect(file).toHaveAttribute('download');
    expect(screen.getByRole('checkbox', { name: 'Select notes.txt' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Download folder etc' }));
    const zip = await screen.findByTestId('tree-download-zip');
    expect(new URL(zip.getAttribute('href') ?? '', 'http://x').searchParams.get('format')).toBe('zip');
  });
});

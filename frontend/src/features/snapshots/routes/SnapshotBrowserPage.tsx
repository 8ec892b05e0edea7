// /hosts/:id/snapshots/:snapshotId: one snapshot of a host, a directory at a time. Where you
// are (path), the order (sort, desc) and the filter live in the URL, so back/forward, reload
// and shared links show the same listing; opening a folder is a new history entry, a sort or
// filter change is not. The first open waits while the agent reads the snapshot (progress,
// asked again every second). Keys: "/" focuses the filter, Alt+↑ opens the parent folder.
import { ActionIcon, Anchor, Breadcrumbs, Button, CloseButton, EmptyState, Group, Loader, Paper, Stack, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconArrowUp, IconFileSearch, IconFilter, IconFolderOff, IconGitCompare, IconRestore, IconSearch } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '@/api/errors';
import type { Snapshot, TreeEntry, TreeSort } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { RelativeTime } from '@/components/RelativeTime';
import { TableSkeleton } from '@/components/TableSkeleton';
import { canOnHost } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { useUrlSearchText } from '@/lib/urlFilters';
import { formatCount } from '@/lib/units';
import { findSnapshot, useEverySnapshot, useHostRecord, useSnapshotTree, type TreeQuery } from '../browseApi';
import { IndexingNotice } from '../components/IndexingNotice';
import { PathBreadcrumbs } from '../components/PathBreadcrumbs';
import { ReadThroughNote } from '../components/ReadThroughNote';
import { RestoreWizard } from '../components/RestoreWizard';
import { TreeTable } from '../components/TreeTable';
import { downloadUrl } from '../restore';
import { childPath, parentPath } from '../tree';

const SORTS: readonly TreeSort[] = ['name', 'size', 'mtime'];
const FULL_ID = /^[0-9a-f]{64}$/;

/** The browser's place, read from its URL. */
function useTreeQuery(): TreeQuery {
  const [params] = useSearchParams();
  const repositoryId = params.get('repo');
  const path = params.get('path') || '/';
  const sortParam = params.get('sort');
  const sort = SORTS.includes(sortParam as TreeSort) ? (sortParam as TreeSort) : 'name';
  const descending = params.get('desc') === '1';
  const filter = params.get('filter') ?? '';
  return useMemo(() => ({ repositoryId, path, sort, descending, filter }), [repositoryId, path, sort, descending, filter]);
}

function SnapshotFacts({ snapshot }: { snapshot: Snapshot | undefined }) {
  if (!snapshot) return null;
  return (
    <Text size="sm" c="dimmed" component="div" data-testid="snapshot-facts">
      <Group gap={6} wrap="wrap" style={{ rowGap: 0 }}>
        <span>{formatDateTime(snapshot.time)}</span>
        <span>·</span>
        <RelativeTime value={snapshot.time} />
        <span>·</span>
        <span>{snapshot.repository_name ?? 'repository'}</span>
        {snapshot.paths.length ? (
          <>
            <span>·</span>
            <Text span size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
              {snapshot.paths.join(', ')}
            </Text>
          </>
        ) : null}
      </Group>
    </Text>
  );
}

/** "Find anywhere in this snapshot": opens the search, limited to this snapshot. */
function FindInSnapshot({ onFind }: { onFind: (q: string) => void }) {
  const [text, setText] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) onFind(text.trim());
  };
  return (
    <form onSubmit={submit} role="search" aria-label="Search in this snapshot" style={{ flex: '1 1 260px', maxWidth: 360 }}>
      <TextInput
        aria-label="Find a file in this snapshot"
        placeholder="Find anywhere in this snapshot"
        leftSection={<IconFileSearch size={16} />}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        rightSection={
          text.trim() ? (
            <ActionIcon type="submit" variant="subtle" aria-label="Search in this snapshot">
              <IconSearch size={16} />
            </ActionIcon>
          ) : null
        }
      />
    </form>
  );
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function SnapshotBrowserPage() {
  const { id: hostId = '', snapshotId = '' } = useParams();
  const navigate = useNavigate();
  const [, setParams] = useSearchParams();
  const query = useTreeQuery();
  const filterBox = useUrlSearchText('filter', 250);
  const filterRef = useRef<HTMLInputElement>(null);

  const host = useHostRecord(hostId);
  const every = useEverySnapshot(hostId);
  const hostname = host.data?.hostname ?? 'this host';
  const validId = FULL_ID.test(snapshotId);
  const snapshot = findSnapshot(every.data, snapshotId, query.repositoryId);
  const shortId = snapshot?.short_id ?? snapshotId.slice(0, 8);

  // A short id typed or pasted into the address: go to the one snapshot it names.
  const expanded = !validId && every.data ? every.data.filter((s) => s.id.startsWith(snapshotId.toLowerCase())) : [];
  const uniqueFull = expanded.length > 0 && expanded.every((s) => s.id === expanded[0]?.id) ? expanded[0] : undefined;
  useEffect(() => {
    if (uniqueFull && snapshotId.length >= 4) {
      void navigate(paths.snapshot(hostId, uniqueFull.id, { ...query, repositoryId: query.repositoryId ?? uniqueFull.repository_id }), { replace: true });
    }
  }, [uniqueFull, snapshotId, hostId, navigate, query]);

  const tree = useSnapshotTree(hostId, snapshotId, query, validId);
  const pages = tree.data?.pages ?? [];
  const first = pages[0];
  const entries = pages.flatMap((p) => p.entries);
  const total = first?.total ?? 0;
  const indexing = first?.indexing;

  const at = (path: string) => paths.snapshot(hostId, snapshotId, { repositoryId: query.repositoryId, path, sort: query.sort, descending: query.descending });
  const linkFor = (entry: TreeEntry) => at(childPath(query.path, entry.name));

  // Paths picked for a restore, by absolute path: kept while moving between folders.
  const canRestore = canOnHost(host.data, 'restores_run');
  const canDownload = canOnHost(host.data, 'snapshots_download');
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [wizardPaths, setWizardPaths] = useState<string[] | null>(null);
  const pathOf = (entry: TreeEntry) => childPath(query.path, entry.name);
  const toggle = (entry: TreeEntry) =>
    setSelected((prev) => {
      const next = new Set(prev);
      const p = pathOf(entry);
      if (next.has(p)) next.delete(p);
      else next.add(p);
      return next;
    });
  const repositoryForDownload = query.repositoryId ?? snapshot?.repository_id ?? null;
  const downloadFor = canDownload && repositoryForDownload
    ? (entry: TreeEntry, format: 'raw' | 'tar_gz' | 'zip') => downloadUrl(hostId, snapshotId, repositoryForDownload, pathOf(entry), format)
    : undefined;

  const sortTo = (column: TreeSort, descending: boolean) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (column === 'name') next.delete('sort');
        else next.set('sort', column);
        if (descending) next.set('desc', '1');
        else next.delete('desc');
        return next;
      },
      { replace: true },
    );
  // A new column starts with what people look for first: A→Z names, the biggest and the newest.
  const onSort = (column: TreeSort) => sortTo(column, query.sort === column ? !query.descending : column !== 'name');

  // "/" focuses the filter; Alt+↑ opens the parent folder (as in file managers).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !isTyping(e.target)) {
        e.preventDefault();
        filterRef.current?.focus();
      } else if (e.key === 'ArrowUp' && e.altKey && query.path !== '/') {
        e.preventDefault();
        void navigate(at(parentPath(query.path)));
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const error = tree.error;
  const notFound = error instanceof ApiError && error.status === 404;
  const findInSnapshot = (q: string) =>
    void navigate(paths.snapshotSearch(hostId, { q, snapshotId, repositoryId: query.repositoryId ?? snapshot?.repository_id ?? null }));

  return (
    <Stack gap="md" data-testid="snapshot-browser">
      <Breadcrumbs style={{ flexWrap: 'wrap' }}>
        <Anchor component={Link} to={paths.hosts()} size="sm">
          Hosts
        </Anchor>
        <Anchor component={Link} to={paths.host(hostId)} size="sm" ff="monospace">
          {host.data?.hostname ?? 'Host'}
        </Anchor>
        <Text size="sm">Snapshot</Text>
      </Breadcrumbs>

      <Group justify="space-between" align="flex-end" gap="sm">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Title order={2}>
            Snapshot{' '}
            <Text span inherit ff="monospace" data-testid="browser-snapshot-id" title={snapshotId}>
              {shortId}
            </Text>
            {host.data ? (
              <Text span inherit c="dimmed" fw={400}>
                {' '}
                of {host.data.hostname}
              </Text>
            ) : null}
          </Title>
          <SnapshotFacts snapshot={snapshot} />
        </Stack>
        <Group gap="xs" wrap="wrap" style={{ flex: '1 1 260px', justifyContent: 'flex-end' }}>
          <Button
            variant="default"
            component={Link}
            to={paths.snapshotDiff(hostId, snapshotId, { repositoryId: query.repositoryId })}
            leftSection={<IconGitCompare size={16} />}
            data-testid="browser-diff"
          >
            What changed
          </Button>
          <FindInSnapshot onFind={findInSnapshot} />
        </Group>
      </Group>

      {canRestore && validId ? (
        <Group gap="sm" wrap="wrap" data-testid="restore-bar">
          {selected.size > 0 ? (
            <>
              <Text size="sm" fw={600} data-testid="restore-selected-count">
                {formatCount(selected.size)} selected
              </Text>
              <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())} data-testid="restore-clear">
                Clear
              </Button>
              <Button size="sm" leftSection={<IconRestore size={16} />} onClick={() => setWizardPaths([...selected].sort())} data-testid="restore-open">
                Restore…
              </Button>
            </>
          ) : (
            <Button
              size="sm"
              variant="light"
              leftSection={<IconRestore size={16} />}
              onClick={() => setWizardPaths(query.path === '/' ? [] : [query.path])}
              data-testid="restore-folder"
            >
              {query.path === '/' ? 'Restore this snapshot…' : 'Restore this folder…'}
            </Button>
          )}
        </Group>
      ) : null}
      <RestoreWizard
        opened={wizardPaths !== null}
        onClose={() => setWizardPaths(null)}
        hostId={hostId}
        hostname={host.data?.hostname ?? ''}
        snapshotId={snapshotId}
        repositoryId={query.repositoryId ?? snapshot?.repository_id ?? null}
        paths={wizardPaths ?? []}
      />

      <ReadThroughNote readThrough={first?.read_through} hostname={hostname} />

      <Stack gap="sm">
        <Group justify="space-between" gap="sm" wrap="wrap" align="center">
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0, flex: '1 1 320px' }}>
            {query.path === '/' ? (
              <ActionIcon variant="default" aria-label="Parent folder" disabled>
                <IconArrowUp size={16} />
              </ActionIcon>
            ) : (
              <Tooltip label="Parent folder (Alt+↑)">
                <ActionIcon variant="default" aria-label="Parent folder" component={Link} to={at(parentPath(query.path))}>
                  <IconArrowUp size={16} />
                </ActionIcon>
              </Tooltip>
            )}
            <PathBreadcrumbs path={query.path} linkFor={at} />
            {tree.isFetching && !indexing && !tree.isPending ? <Loader size="xs" aria-label="Loading" /> : null}
          </Group>
          <TextInput
            ref={filterRef}
            aria-label="Filter this folder"
            placeholder="Filter this folder  ( / )"
            leftSection={<IconFilter size={16} />}
            value={filterBox.text}
            onChange={(e) => filterBox.onChange(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && filterBox.text) {
                e.preventDefault();
                filterBox.onChange('');
              }
            }}
            rightSection={filterBox.text ? <CloseButton size="sm" aria-label="Clear filter" onClick={() => filterBox.onChange('')} /> : null}
            w={{ base: '100%', sm: 300 }}
            data-testid="tree-filter"
          />
        </Group>

        {!validId && every.isSuccess && !uniqueFull ? (
          <ErrorAlert error={new Error(`“${snapshotId}” is not a snapshot id of ${hostname}. Open a snapshot from the host's list.`)} title="No such snapshot" />
        ) : (
          <ErrorAlert error={error} title={notFound ? 'Not in this snapshot' : 'Could not read this snapshot'} />
        )}
        {notFound && query.path !== '/' ? (
          <Text size="sm">
            <Anchor component={Link} to={at('/')}>
              Go to the snapshot's root
            </Anchor>
          </Text>
        ) : null}

        {tree.isPending && validId ? <TableSkeleton rows={6} label="Loading the folder" /> : null}
        {indexing ? <IndexingNotice progress={indexing} reader={first?.read_through?.hostname ?? hostname} /> : null}

        {first && !indexing && total === 0 && !query.filter ? (
          <Paper withBorder radius="md" p="xl" data-testid="tree-empty">
            <EmptyState
              icon={<IconFolderOff size={28} />}
              variant="light"
              color="gray"
              title="This directory is empty in this snapshot"
              description="Nothing was backed up inside it, or everything in it was excluded. Go up to look elsewhere."
            />
          </Paper>
        ) : null}
        {first && !indexing && total === 0 && query.filter ? (
          <Paper withBorder radius="md" p="xl" data-testid="tree-no-match">
            <EmptyState
              icon={<IconFilter size={28} />}
              variant="light"
              color="gray"
              title={`Nothing in this folder matches “${query.filter}”`}
              description="The filter looks at the names in this folder only. To look in every folder, search the snapshot."
            >
              <EmptyState.Actions>
                <Button variant="default" onClick={() => filterBox.onChange('')}>
                  Clear filter
                </Button>
                <Button variant="light" leftSection={<IconSearch size={16} />} onClick={() => findInSnapshot(query.filter)}>
                  Search the snapshot
                </Button>
              </EmptyState.Actions>
            </EmptyState>
          </Paper>
        ) : null}

        {entries.length > 0 ? (
          <>
            <TreeTable
              entries={entries}
              sort={query.sort}
              descending={query.descending}
              onSort={onSort}
              onSortTo={sortTo}
              linkFor={linkFor}
              stale={tree.isPlaceholderData}
              isSelected={canRestore ? (e) => selected.has(pathOf(e)) : undefined}
              onToggle={canRestore ? toggle : undefined}
              downloadFor={downloadFor}
            />
            <Group justify="space-between" gap="sm">
              <Text size="sm" c="dimmed" data-testid="tree-count">
                {entries.length < total
                  ? `Showing ${formatCount(entries.length)} of ${formatCount(total)}`
                  : `${formatCount(total)} ${total === 1 ? 'entry' : 'entries'}`}
                {query.filter ? ` matching “${query.filter}”` : ''}
              </Text>
              {tree.hasNextPage && !tree.isPlaceholderData ? (
                <Button variant="default" size="sm" onClick={() => void tree.fetchNextPage()} loading={tree.isFetchingNextPage}>
                  Load more
                </Button>
              ) : null}
            </Group>
          </>
        ) : null}
      </Stack>
    </Stack>
  );
}

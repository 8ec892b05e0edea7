// /hosts/:id/snapshots/search?q=…: finding files across a host's snapshots (or one, with
// `snapshot`), linkable. The search box sends on Enter; each result path lists its versions
// and the snapshots holding them, each opening the browser at that folder. Snapshots the agent
// has not read yet are searched again every two seconds until they all are ("results will
// grow"). When the host's snapshots are in more than one repository, a picker says which
// (the newest snapshot's, preferring a repository the host is still linked to).
import { Alert, Anchor, Badge, Breadcrumbs, Button, CloseButton, EmptyState, Group, Loader, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle, IconFileSearch, IconSearch } from '@tabler/icons-react';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { Snapshot } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { TableSkeleton } from '@/components/TableSkeleton';
import { paths } from '@/lib/paths';
import { formatCount } from '@/lib/units';
import { SEARCH_LIMIT, useEverySnapshot, useHostRecord, useSnapshotSearch } from '../browseApi';
import { ReadThroughNote } from '../components/ReadThroughNote';
import { SearchResults } from '../components/SearchResults';
import { baseName, parentPath } from '../tree';

interface RepoChoice {
  value: string;
  label: string;
}

/** The repositories holding the host's snapshots (`of`: only those holding that one), newest snapshot's first. */
export function repositoryChoices(all: Snapshot[], of: string | null): RepoChoice[] {
  const seen = new Map<string, string>();
  for (const s of all) {
    if (of !== null && s.id !== of) continue;
    if (!seen.has(s.repository_id)) seen.set(s.repository_id, s.repository_name ?? s.repository_id);
  }
  return [...seen].map(([value, label]) => ({ value, label }));
}

/** Which repository to search when the URL does not say: the newest snapshot's, a linked one first. */
export function defaultRepository(all: Snapshot[], linked: string[], of: string | null): string | null {
  const candidates = all.filter((s) => of === null || s.id === of);
  const repos = new Set(candidates.map((s) => s.repository_id));
  if (repos.size <= 1) return null; // the server knows which
  return (candidates.find((s) => linked.includes(s.repository_id)) ?? candidates[0])?.repository_id ?? null;
}

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

export function SnapshotSearchPage() {
  const { id: hostId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const onlySnapshot = params.get('snapshot');
  const urlRepo = params.get('repo');
  const [text, setText] = useState(q);
  const [seenQ, setSeenQ] = useState(q);
  if (q !== seenQ) {
    // Back/forward or a link: the box shows the search the URL holds.
    setSeenQ(q);
    setText(q);
  }

  const host = useHostRecord(hostId);
  const every = useEverySnapshot(hostId);
  const all = useMemo(() => every.data ?? [], [every.data]);
  const byId = useMemo(() => new Map(all.map((s) => [s.id, s])), [all]);
  const choices = repositoryChoices(all, onlySnapshot);
  const repositoryId = urlRepo ?? defaultRepository(all, host.data?.repository_ids ?? [], onlySnapshot);
  const ready = (every.isSuccess || every.isError) && (host.isSuccess || host.isError);
  const search = useSnapshotSearch(hostId, { q, repositoryId, snapshotId: onlySnapshot }, ready);
  const result = search.data;
  const hostname = host.data?.hostname ?? 'this host';
  const only = onlySnapshot ? byId.get(onlySnapshot) : undefined;
  const onlyShort = only?.short_id ?? onlySnapshot?.slice(0, 8);

  const set = (changes: Record<string, string | null>, replace = false) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        return next;
      },
      { replace },
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    set({ q: text.trim() || null });
  };
  const linkFor = (snapshotId: string, path: string) =>
    paths.snapshot(hostId, snapshotId, { repositoryId: result?.repository_id ?? repositoryId, path: parentPath(path), filter: baseName(path) });

  const stillReading = result?.indexing.length ?? 0;
  const searched = result?.searched.length ?? 0;

  return (
    <Stack gap="md" data-testid="snapshot-search">
      <Breadcrumbs style={{ flexWrap: 'wrap' }}>
        <Anchor component={Link} to={paths.hosts()} size="sm">
          Hosts
        </Anchor>
        <Anchor component={Link} to={paths.host(hostId)} size="sm" ff="monospace">
          {host.data?.hostname ?? 'Host'}
        </Anchor>
        <Text size="sm">Find files</Text>
      </Breadcrumbs>
      <Stack gap={4}>
        <Title order={2}>
          {onlySnapshot ? 'Find files in a snapshot' : 'Find files in snapshots'}
          {host.data ? (
            <Text span inherit c="dimmed" fw={400}>
              {' '}
              of {host.data.hostname}
            </Text>
          ) : null}
        </Title>
        <Text size="sm" c="dimmed">
          A word finds names containing it (any case). A glob like <code>*.conf</code> matches whole names. With a <code>/</code> it matches the whole
          path, e.g. <code>/etc/*/nginx.conf</code>.
        </Text>
      </Stack>

      <form onSubmit={submit} role="search" aria-label="Find files in snapshots">
        <Group gap="xs" align="flex-end" wrap="wrap">
          <TextInput
            aria-label={onlySnapshot ? 'Find a file in this snapshot' : 'Find a file in all snapshots'}
            placeholder="nginx.conf, *.sql, /home/*/notes.txt"
            leftSection={<IconSearch size={16} />}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            autoFocus={!q}
            style={{ flex: '1 1 260px' }}
            data-testid="search-input"
          />
          {choices.length > 1 ? (
            <Select
              aria-label="Repository to search"
              data={choices}
              value={repositoryId}
              onChange={(v) => set({ repo: v }, true)}
              allowDeselect={false}
              w={{ base: '100%', xs: 200 }}
            />
          ) : null}
          <Button type="submit" leftSection={<IconSearch size={16} />}>
            Search
          </Button>
        </Group>
      </form>

      {onlySnapshot ? (
        <Group gap="xs">
          <Badge
            variant="light"
            size="lg"
            tt="none"
            data-testid="search-only-snapshot"
            rightSection={<CloseButton size="xs" aria-label="Search all snapshots" onClick={() => set({ snapshot: null })} />}
          >
            Only snapshot <span style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>{onlyShort}</span>
          </Badge>
          <Anchor component={Link} size="sm" to={paths.snapshot(hostId, onlySnapshot, { repositoryId })}>
            Browse it
          </Anchor>
        </Group>
      ) : null}

      <ErrorAlert error={search.error} title="Could not search" />
      {!q ? (
        <Paper withBorder radius="md" p="xl" data-testid="search-idle">
          <EmptyState
            icon={<IconFileSearch size={28} />}
            variant="light"
            color="gray"
            title="What are you looking for?"
            description="Type a name, part of one or a glob and press Enter. Every version of every match is listed with the snapshots that hold it."
          />
        </Paper>
      ) : null}
      {q && (search.isPending || !ready) && !search.error ? <TableSkeleton rows={3} label="Searching" /> : null}

      {result ? (
        <Stack gap="sm" style={{ opacity: search.isPlaceholderData ? 0.6 : 1 }}>
          <ReadThroughNote readThrough={result.read_through} hostname={hostname} />
          {stillReading > 0 ? (
            <Alert color="blue" variant="light" p="xs" icon={<Loader size={16} />} role="status" data-testid="search-indexing">
              <Text size="sm" aria-live="polite">
                {stillReading === 1 ? '1 snapshot is' : `${formatCount(stillReading)} snapshots are`} still being read; results will grow.
              </Text>
            </Alert>
          ) : null}
          {result.truncated ? (
            <Alert color="yellow" variant="light" p="xs" icon={<IconAlertTriangle size={18} />} role="status" data-testid="search-truncated">
              <Text size="sm">
                More paths match than the {formatCount(SEARCH_LIMIT)} shown. Narrow your search: a longer name, a glob like <code>*.conf</code>, or a
                path with <code>/</code>.
              </Text>
            </Alert>
          ) : null}
          {result.paths.length > 0 ? (
            <>
              <Text size="sm" c="dimmed" data-testid="search-summary">
                {plural(result.paths.length, 'path', 'paths')}
                {result.truncated ? ' (the first ones)' : ''} {result.paths.length === 1 ? 'matches' : 'match'} “{result.pattern}” in{' '}
                {plural(searched, 'snapshot', 'snapshots')}
                {' · '}
                {formatCount(result.round_trip_ms)} ms
              </Text>
              <SearchResults paths={result.paths} snapshots={byId} linkFor={linkFor} />
            </>
          ) : searched > 0 || stillReading === 0 ? (
            <Paper withBorder radius="md" p="xl" data-testid="search-empty">
              <EmptyState
                icon={<IconFileSearch size={28} />}
                variant="light"
                color="gray"
                title={`No path matches ${result.pattern} in ${plural(searched, 'snapshot', 'snapshots')}`}
                description={
                  stillReading > 0
                    ? 'More snapshots are being read; this search runs again by itself.'
                    : 'A word matches part of a name; a glob (with * or ?) must match the whole name. Try a shorter word, or *word*.'
                }
              />
            </Paper>
          ) : null}
        </Stack>
      ) : null}
    </Stack>
  );
}

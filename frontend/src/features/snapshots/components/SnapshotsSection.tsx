// The host's snapshots (as its agent last reported them), newest first, filtered by repository,
// a page at a time ("Load more"), with "Refresh" asking the agent for the current list (its job
// is shown until it ends), "Browse" on each row, and "Find a file in all snapshots" (Enter
// opens the search page). "List | Calendar" (`?snapview=calendar`) picks a point in time by day;
// the sizes timeline above both views jumps to a snapshot's day.
import { Alert, Anchor, Button, Card, Group, Loader, Menu, SegmentedControl, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconCamera, IconChevronDown, IconFileSearch, IconPlayerPlay, IconRefresh } from '@tabler/icons-react';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { loadedList } from '@/api/paging';
import type { Host, Job, Repository, Snapshot } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ListEmptyState } from '@/components/ListEmptyState';
import { ListFooter } from '@/components/ListFooter';
import { TableSkeleton } from '@/components/TableSkeleton';
import { isActiveJob } from '@/lib/jobs';
import { paths } from '@/lib/paths';
import { useUrlFilters } from '@/lib/urlFilters';
import { useHostSnapshots, useRefreshSnapshots, useWatchedJob } from '../api';
import { useEverySnapshot } from '../browseApi';
import { snapshotDay, snapshotKey } from '../calendar';
import { SnapshotCalendar } from './SnapshotCalendar';
import { SnapshotTimeline } from './SnapshotTimeline';
import { SnapshotsTable } from './SnapshotsTable';

/** The URL parameter of the view; absent = the list. */
const VIEW_PARAM = 'snapview';
const NOTHING_PICKED = { day: null, key: null } as { day: string | null; key: string | null };

/** What the host page hands over (the app puts this panel in the host page's snapshots slot). */
export interface SnapshotsSectionProps {
  host: Host;
  repositories: Repository[];
  /** Start a backup (backups_run). */
  canRun: boolean;
  /** Ask the agent for the current snapshot list (jobs_run); defaults to `canRun`. */
  canRefresh?: boolean;
  onRunBackup: () => void;
}

/** Where a refresh stands, under the section title. */
function RefreshStatus({ job }: { job: Job }) {
  const watched = useWatchedJob(job);
  const current = watched.data ?? job;
  const repo = current.repository_name ?? 'the repository';
  const link = (
    <Anchor component={Link} to={paths.job(current.id)} size="sm">
      View job
    </Anchor>
  );
  if (isActiveJob(current.status)) {
    return (
      <Alert color="blue" variant="light" p="xs" data-testid="refresh-status" data-status={current.status} icon={<Loader size={16} />}>
        <Text size="sm">
          Asking the agent for the snapshots in {repo}… {link}
        </Text>
      </Alert>
    );
  }
  if (current.status === 'succeeded') {
    return (
      <Alert color="teal" variant="light" p="xs" data-testid="refresh-status" data-status={current.status}>
        <Text size="sm">Snapshot list read from {repo}.</Text>
      </Alert>
    );
  }
  return (
    <Alert color="red" variant="light" p="xs" data-testid="refresh-status" data-status={current.status} role="alert">
      <Text size="sm">
        Could not read the snapshots of {repo}: {current.error_message ?? current.status}. {link}
      </Text>
    </Alert>
  );
}

function RefreshButton({ linked, loading, onRefresh }: { linked: { value: string; label: string }[]; loading: boolean; onRefresh: (id: string) => void }) {
  if (linked.length === 1) {
    const only = linked[0];
    return (
      <Button variant="default" size="sm" leftSection={<IconRefresh size={16} />} loading={loading} onClick={() => only && onRefresh(only.value)}>
        Refresh
      </Button>
    );
  }
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="default" size="sm" leftSection={<IconRefresh size={16} />} rightSection={<IconChevronDown size={14} />} loading={loading}>
          Refresh
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Read the snapshot list of</Menu.Label>
        {linked.map((r) => (
          <Menu.Item key={r.value} onClick={() => onRefresh(r.value)}>
            {r.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

/** "Find a file in all snapshots": Enter opens the search page with what was typed. */
function FindFile({ onFind }: { onFind: (q: string) => void }) {
  const [text, setText] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) onFind(text.trim());
  };
  return (
    <form onSubmit={submit} role="search" aria-label="Snapshot search">
      <Group gap="xs" wrap="nowrap">
        <TextInput
          aria-label="Find a file in all snapshots"
          placeholder="Find a file in all snapshots"
          leftSection={<IconFileSearch size={16} />}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          style={{ flex: 1, minWidth: 0 }}
          data-testid="snapshots-find"
        />
        <Button type="submit" variant="default" disabled={!text.trim()}>
          Find
        </Button>
      </Group>
    </form>
  );
}

export function SnapshotsSection({ host, repositories, canRun, canRefresh = canRun, onRunBackup }: SnapshotsSectionProps) {
  const [repositoryId, setRepositoryId] = useState<string | null>(null);
  const snapshots = useHostSnapshots(host.id, repositoryId);
  const refresh = useRefreshSnapshots(host.id);
  const linked = host.repository_ids.map((id) => ({ value: id, label: repositories.find((r) => r.id === id)?.name ?? id }));
  const list = loadedList(snapshots.data);
  const items = list.items;
  const navigate = useNavigate();
  const { params, setFilter } = useUrlFilters();
  const view = params.get(VIEW_PARAM) === 'calendar' ? 'calendar' : 'list';
  // The calendar and the timeline need every snapshot, not the list's loaded pages.
  const every = useEverySnapshot(host.id, items.length > 0);
  const everyShown = useMemo(
    () => (every.data ?? []).filter((s) => repositoryId === null || s.repository_id === repositoryId),
    [every.data, repositoryId],
  );
  const [picked, setPicked] = useState(NOTHING_PICKED);
  const filterRepository = (id: string | null) => {
    setRepositoryId(id);
    setPicked(NOTHING_PICKED);
  };
  const pickSnapshot = (s: Snapshot) => {
    setPicked({ day: snapshotDay(s), key: snapshotKey(s) });
    if (view !== 'calendar') setFilter(VIEW_PARAM, 'calendar');
  };

  return (
    <Card withBorder radius="md" padding="lg" data-testid="snapshots-section">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" gap="sm">
          <div>
            <Title order={3} fz="h4">
              Snapshots
            </Title>
            <Text size="sm" c="dimmed">
              What the repositories hold for this host, as its agent last reported. Newest first.
            </Text>
          </div>
          <Group gap="xs">
            {linked.length > 1 ? (
              <Select
                aria-label="Filter snapshots by repository"
                placeholder="All repositories"
                clearable
                size="sm"
                data={linked}
                value={repositoryId}
                onChange={filterRepository}
                w={190}
              />
            ) : null}
            {canRefresh && linked.length > 0 ? (
              <RefreshButton linked={linked} loading={refresh.isPending} onRefresh={(id) => refresh.mutate(id)} />
            ) : null}
          </Group>
        </Group>

        {refresh.data ? <RefreshStatus key={refresh.data.id} job={refresh.data} /> : null}
        <ErrorAlert error={refresh.error} title="Could not ask for the snapshot list" />
        <ErrorAlert error={snapshots.error} title="Could not load snapshots" />

        {snapshots.isPending ? <TableSkeleton rows={3} label="Loading snapshots" /> : null}

        {snapshots.data && items.length === 0 ? (
          <ListEmptyState
            testId="snapshots-empty"
            icon={<IconCamera size={28} />}
            things="snapshots"
            filtered={repositoryId !== null}
            filteredDescription="This repository holds no snapshot of this host yet."
            onClearFilters={() => filterRepository(null)}
            description={
              canRun
                ? 'Run a backup to make the first one. Snapshots made outside Cairn show up after “Refresh”.'
                : 'An operator or administrator can run a backup of this host.'
            }
            action={
              canRun && linked.length > 0 ? (
                <Button leftSection={<IconPlayerPlay size={16} />} onClick={onRunBackup}>
                  Run backup now
                </Button>
              ) : null
            }
          />
        ) : null}

        {items.length > 0 ? (
          <>
            <FindFile onFind={(q) => void navigate(paths.snapshotSearch(host.id, { q, repositoryId }))} />
            <SegmentedControl
              data-testid="snapshots-view"
              aria-label="Show snapshots as"
              size="xs"
              value={view}
              onChange={(v) => setFilter(VIEW_PARAM, v === 'calendar' ? 'calendar' : null)}
              data={[
                { value: 'list', label: 'List' },
                { value: 'calendar', label: 'Calendar' },
              ]}
              style={{ alignSelf: 'flex-start' }}
            />
            <ErrorAlert error={every.error} title="Could not load every snapshot for the calendar" />
            <SnapshotTimeline snapshots={everyShown} highlight={picked.key} onSelect={pickSnapshot} />
            {view === 'list' ? (
              <>
                <SnapshotsTable hostId={host.id} snapshots={items} />
                <ListFooter
                  shown={items.length}
                  total={list.total}
                  capped={list.capped}
                  noun={['snapshot', 'snapshots']}
                  hasMore={snapshots.hasNextPage && !snapshots.isPlaceholderData}
                  loadingMore={snapshots.isFetchingNextPage}
                  onLoadMore={() => void snapshots.fetchNextPage()}
                  testId="snapshots-count"
                />
              </>
            ) : every.isPending ? (
              <TableSkeleton rows={3} label="Loading the calendar" />
            ) : everyShown.length > 0 ? (
              <SnapshotCalendar
                key={repositoryId ?? 'all'}
                hostId={host.id}
                snapshots={everyShown}
                selectedDay={picked.day}
                onSelectDay={(day) => setPicked({ day, key: null })}
                highlight={picked.key}
              />
            ) : null}
          </>
        ) : null}
      </Stack>
    </Card>
  );
}

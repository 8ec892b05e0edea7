// /hosts: the fleet by hostname, a page at a time ("Load more"), refreshed every few seconds,
// with search/tag/status filters in the URL (q, tag, status: a reload or a shared link keeps
// them, other pages link to a filtered view; a change starts again from the first page),
// announced hosts waiting for approval, "Add host" and a connection test for all hosts (or
// those with the filtered tag).
import { Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { IconPlus, IconSearch, IconServer } from '@tabler/icons-react';
import { useState } from 'react';
import { loadedList } from '@/api/paging';
import type { HostStatus } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ListEmptyState } from '@/components/ListEmptyState';
import { ListFooter } from '@/components/ListFooter';
import { PageHeader } from '@/components/PageHeader';
import { TableSkeleton } from '@/components/TableSkeleton';
import { hasPermission, useSession } from '@/lib/auth';
import { useUrlFilters, useUrlSearchText } from '@/lib/urlFilters';
import { useFleetTags, useHosts, usePendingHosts } from '../api';
import { AddHostModal } from '../components/AddHostModal';
import { HostsTable } from '../components/HostsTable';
import { PendingHostsPanel } from '../components/PendingHostsPanel';
import { PingAllButton } from '../components/PingAllButton';

const STATUSES: readonly HostStatus[] = ['online', 'offline'];

/** The tags of the caller's host roles, for the empty state: "web, db". */
function scopeTags(bindings: readonly { tags: readonly string[] }[]): string {
  return [...new Set(bindings.flatMap((b) => b.tags))].sort().join(', ');
}

function parseStatus(value: string | null): HostStatus | null {
  return STATUSES.find((s) => s === value) ?? null;
}

export function HostsPage() {
  const me = useSession();
  // Enrolling, pinging the whole fleet and pending agents are global-only (no host roles).
  const canManage = hasPermission(me, 'hosts_manage');
  const canApprove = hasPermission(me, 'hosts_approve');
  const canSeePending = hasPermission(me, 'hosts_read');
  const { params, setFilter, clearFilters: clearUrl } = useUrlFilters();
  const status = parseStatus(params.get('status'));
  const tag = params.get('tag') || null;
  const search = useUrlSearchText('q');
  const q = search.value;
  const [adding, setAdding] = useState(false);

  const hosts = useHosts({ q, tag, status });
  const list = loadedList(hosts.data);
  const pending = usePendingHosts(undefined, canSeePending);
  const fleetTags = useFleetTags();
  const filtered = !!q.trim() || tag !== null || status !== null;
  // Nothing to test in an empty fleet (the empty state offers "Add host" instead).
  const fleetEmpty = !filtered && !!hosts.data && list.items.length === 0;
  const tagOptions = [...new Set([...(fleetTags.data ?? []), ...(tag ? [tag] : [])])];

  const clearFilters = () => {
    search.cancel();
    clearUrl();
  };

  const addButton = (
    <Button leftSection={<IconPlus size={18} />} onClick={() => setAdding(true)}>
      Add host
    </Button>
  );

  return (
    <Stack gap="md">
      <PageHeader
        mb={0}
        title="Hosts"
        description="Machines running cairn-agent. Status and last contact refresh by themselves."
        actions={
          canManage ? (
            <>
              {fleetEmpty ? null : <PingAllButton tag={tag} />}
              {addButton}
            </>
          ) : null
        }
      />

      <ErrorAlert error={pending.error} title="Could not load hosts waiting for approval" />
      <PendingHostsPanel hosts={pending.data?.items ?? []} canApprove={canApprove} tagOptions={fleetTags.data ?? []} />

      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          aria-label="Search hosts"
          placeholder="Search hostname"
          leftSection={<IconSearch size={16} />}
          value={search.text}
          onChange={(e) => search.onChange(e.currentTarget.value)}
          style={{ flex: '1 1 240px' }}
        />
        <Select
          aria-label="Filter by tag"
          placeholder="Any tag"
          clearable
          searchable
          nothingFoundMessage="No hosts have this tag"
          data={tagOptions}
          value={tag}
          onChange={(v) => setFilter('tag', v)}
          style={{ flex: '0 1 180px' }}
        />
        <Select
          aria-label="Filter by status"
          placeholder="Any status"
          clearable
          data={[
            { value: 'online', label: 'Online' },
            { value: 'offline', label: 'Offline' },
          ]}
          value={status}
          onChange={(v) => setFilter('status', v)}
          style={{ flex: '0 1 160px' }}
        />
      </Group>

      <ErrorAlert error={hosts.error} title="Could not load hosts" />

      {hosts.isPending ? <TableSkeleton label="Loading hosts" /> : null}

      {hosts.data && list.items.length === 0 ? (
        <ListEmptyState
          testId="hosts-empty"
          icon={<IconServer size={28} />}
          things="hosts"
          filtered={filtered}
          onClearFilters={clearFilters}
          description={
            canManage
              ? 'Add your first host: it takes one command on the host.'
              : !canSeePending && me.bindings.length > 0
                ? // Host roles only: the list is what their tags cover, so say which tags.
                  `You see the hosts that carry a tag of your host roles (${scopeTags(me.bindings)}); none does yet. An administrator tags hosts.`
                : 'An operator or administrator can add hosts: it takes one command on the host.'
          }
          action={canManage ? addButton : null}
        />
      ) : null}

      {list.items.length > 0 ? (
        <>
          <HostsTable hosts={list.items} />
          <ListFooter
            testId="hosts-count"
            shown={list.items.length}
            total={list.total}
            capped={list.capped}
            noun={['host', 'hosts']}
            hasMore={hosts.hasNextPage && !hosts.isPlaceholderData}
            loadingMore={hosts.isFetchingNextPage}
            onLoadMore={() => void hosts.fetchNextPage()}
          />
        </>
      ) : null}

      <AddHostModal opened={adding} onClose={() => setAdding(false)} />
    </Stack>
  );
}

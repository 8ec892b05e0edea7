// /hosts: the fleet, refreshed every few seconds, with search/tag/status filters (tag and
// status live in the URL so other pages can link to a filtered view), announced hosts waiting
// for approval, "Add host" and a connection test for all hosts (or those with the filtered tag).
import { Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconSearch, IconServer } from '@tabler/icons-react';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import type { HostStatus } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ListEmptyState } from '@/components/ListEmptyState';
import { ListPager } from '@/components/ListPager';
import { PageHeader } from '@/components/PageHeader';
import { TableSkeleton } from '@/components/TableSkeleton';
import { hasPermission, useSession } from '@/lib/auth';
import { useFleetTags, useHosts, usePendingHosts } from '../api';
import { AddHostModal } from '../components/AddHostModal';
import { HostsTable } from '../components/HostsTable';
import { PendingHostsPanel } from '../components/PendingHostsPanel';
import { PingAllButton } from '../components/PingAllButton';

const PAGE_SIZE = 25;
const STATUSES: readonly HostStatus[] = ['online', 'offline'];

function parseStatus(value: string | null): HostStatus | null {
  return STATUSES.find((s) => s === value) ?? null;
}

export function HostsPage() {
  const me = useSession();
  const canManage = hasPermission(me, 'hosts_manage');
  const canApprove = hasPermission(me, 'hosts_approve');
  const [params, setParams] = useSearchParams();
  const status = parseStatus(params.get('status'));
  const tag = params.get('tag') || null;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 300);
  const [adding, setAdding] = useState(false);

  const hosts = useHosts({ q, tag, status, page, pageSize: PAGE_SIZE });
  const pending = usePendingHosts();
  const fleetTags = useFleetTags();
  const filtered = !!q.trim() || tag !== null || status !== null;
  const total = hosts.data?.total ?? 0;
  // Nothing to test in an empty fleet (the empty state offers "Add host" instead).
  const fleetEmpty = !filtered && hosts.data?.total === 0;
  const tagOptions = [...new Set([...(fleetTags.data ?? []), ...(tag ? [tag] : [])])];

  const setParam = (key: string, value: string | null) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        if (key !== 'page') next.delete('page');
        return next;
      },
      { replace: true },
    );
  const clearFilters = () => {
    setSearch('');
    setParams({}, { replace: true });
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
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            if (page !== 1) setParam('page', null);
          }}
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
          onChange={(v) => setParam('tag', v)}
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
          onChange={(v) => setParam('status', v)}
          style={{ flex: '0 1 160px' }}
        />
      </Group>

      <ErrorAlert error={hosts.error} title="Could not load hosts" />

      {hosts.isPending ? <TableSkeleton label="Loading hosts" /> : null}

      {hosts.data && hosts.data.items.length === 0 ? (
        <ListEmptyState
          testId="hosts-empty"
          icon={<IconServer size={28} />}
          things="hosts"
          filtered={filtered}
          onClearFilters={clearFilters}
          description={
            canManage
              ? 'Add your first host: it takes one command on the host.'
              : 'An operator or administrator can add hosts: it takes one command on the host.'
          }
          action={canManage ? addButton : null}
        />
      ) : null}

      {hosts.data && hosts.data.items.length > 0 ? (
        <>
          <HostsTable hosts={hosts.data.items} />
          <ListPager
            testId="hosts-count"
            total={total}
            page={page}
            pageSize={PAGE_SIZE}
            onPage={(p) => setParam('page', String(p))}
            noun={['host', 'hosts']}
          />
        </>
      ) : null}

      <AddHostModal opened={adding} onClose={() => setAdding(false)} />
    </Stack>
  );
}

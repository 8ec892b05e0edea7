// /hosts: the fleet, refreshed every few seconds, with search/tag/status filters (tag and
// status live in the URL so other pages can link to a filtered view), announced hosts waiting
// for approval, and "Add host".
import { Button, EmptyState, Group, Pagination, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconSearch, IconServer } from '@tabler/icons-react';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import type { HostStatus } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { PageHeader } from '@/components/PageHeader';
import { TableSkeleton } from '@/components/TableSkeleton';
import { hasPermission, useSession } from '@/lib/auth';
import { useFleetTags, useHosts, usePendingHosts } from '../api';
import { AddHostModal } from '../components/AddHostModal';
import { HostsTable } from '../components/HostsTable';
import { PendingHostsPanel } from '../components/PendingHostsPanel';

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
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
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

  return (
    <Stack gap="md">
      <PageHeader
        mb={0}
        title="Hosts"
        description="Machines running cairn-agent. Status and last contact refresh by themselves."
        actions={
          canManage ? (
            <Button leftSection={<IconPlus size={18} />} onClick={() => setAdding(true)}>
              Add host
            </Button>
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
        <Paper withBorder radius="md" p="xl" data-testid="hosts-empty">
          <EmptyState
            icon={<IconServer size={28} />}
            variant="light"
            color="gray"
            title={filtered ? 'No hosts match these filters' : 'No hosts yet'}
            description={
              filtered
                ? 'Try another search or clear the filters.'
                : canManage
                  ? 'Add your first host: it takes one command on the host.'
                  : 'An operator or administrator can add hosts: it takes one command on the host.'
            }
          >
            <EmptyState.Actions>
              {filtered ? (
                <Button variant="default" onClick={clearFilters}>
                  Clear filters
                </Button>
              ) : canManage ? (
                <Button leftSection={<IconPlus size={18} />} onClick={() => setAdding(true)}>
                  Add host
                </Button>
              ) : null}
            </EmptyState.Actions>
          </EmptyState>
        </Paper>
      ) : null}

      {hosts.data && hosts.data.items.length > 0 ? (
        <Paper withBorder radius="md">
          <HostsTable hosts={hosts.data.items} />
        </Paper>
      ) : null}

      {hosts.data && hosts.data.items.length > 0 ? (
        <Group justify="space-between" gap="sm">
          <Text size="sm" c="dimmed" data-testid="hosts-count">
            {total === 1 ? '1 host' : `${total} hosts`}
            {pages > 1 ? ` · page ${page} of ${pages}` : ''}
          </Text>
          {pages > 1 ? (
            <Pagination value={page} onChange={(p) => setParam('page', String(p))} total={pages} size="sm" />
          ) : null}
        </Group>
      ) : null}

      <AddHostModal opened={adding} onClose={() => setAdding(false)} />
    </Stack>
  );
}

// The fleet table. On a phone the secondary columns fold away (OS/arch moves under the name);
// the schedules' next and last run fold away too (the host page's header has them).
import { Anchor, Group, Table, Text } from '@mantine/core';
import { memo } from 'react';
import { Link } from 'react-router';
import type { Host } from '@/api/types';
import { DataTable, type Column } from '@/components/DataTable';
import { RelativeTime } from '@/components/RelativeTime';
import { paths } from '@/lib/paths';
import { LastScheduledRun, NextRun } from './HostRuns';
import { AgentVersion, ResticVersion, TagBadges } from './HostVersions';
import { StatusDot } from './StatusDot';

export function osArch(host: Pick<Host, 'os' | 'arch'>): string {
  return [host.os, host.arch].filter(Boolean).join(' / ') || '—';
}

const columns: Column[] = [
  { key: 'host', label: 'Host' },
  { key: 'os', label: 'OS / arch', visibleFrom: 'sm' },
  { key: 'agent', label: 'Agent', visibleFrom: 'sm' },
  { key: 'restic', label: 'restic', visibleFrom: 'md' },
  { key: 'seen', label: 'Last seen', nowrap: true },
  { key: 'next', label: 'Next run', visibleFrom: 'sm', nowrap: true },
  { key: 'last-run', label: 'Last scheduled run', visibleFrom: 'sm', nowrap: true },
  { key: 'tags', label: 'Tags', visibleFrom: 'sm' },
];

/**
 * One host's row, memoized: the page re-renders on every keystroke in its search box, and the
 * host objects keep their identity between polls that change nothing, so the rows are skipped.
 */
const HostRow = memo(function HostRow({ host }: { host: Host }) {
  return (
    <Table.Tr data-testid={`host-row-${host.hostname}`} data-host-id={host.id} data-status={host.status}>
      <Table.Td>
        <Group gap="sm" wrap="nowrap">
          <StatusDot status={host.status} />
          <div style={{ minWidth: 0 }}>
            <Anchor component={Link} to={paths.host(host.id)} fw={600} size="sm" ff="monospace">
              {host.hostname}
            </Anchor>
            <Text size="xs" c="dimmed" hiddenFrom="sm">
              {osArch(host)}
            </Text>
          </div>
        </Group>
      </Table.Td>
      <Table.Td visibleFrom="sm">
        <Text size="sm">{osArch(host)}</Text>
      </Table.Td>
      <Table.Td visibleFrom="sm">
        <AgentVersion host={host} />
      </Table.Td>
      <Table.Td visibleFrom="md">
        <ResticVersion version={host.restic_version} />
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <RelativeTime value={host.last_seen_at} />
      </Table.Td>
      <Table.Td visibleFrom="sm">
        <NextRun host={host} />
      </Table.Td>
      <Table.Td visibleFrom="sm">
        <LastScheduledRun host={host} />
      </Table.Td>
      <Table.Td visibleFrom="sm">
        <TagBadges tags={host.tags} />
      </Table.Td>
    </Table.Tr>
  );
});

export function HostsTable({ hosts }: { hosts: Host[] }) {
  return (
    <DataTable columns={columns} minWidth={1080} testId="hosts-table">
      {hosts.map((host) => (
        <HostRow key={host.id} host={host} />
      ))}
    </DataTable>
  );
}

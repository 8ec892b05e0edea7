// The fleet table. On a phone the secondary columns fold away (OS/arch moves under the name).
import { Anchor, Group, Table, Text, Tooltip } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link } from 'react-router';
import type { Host } from '@/api/types';
import { formatDateTime, formatRelative } from '@/lib/format';
import { AgentVersion, ResticVersion, TagBadges } from './HostVersions';
import { StatusDot } from './StatusDot';

export function osArch(host: Pick<Host, 'os' | 'arch'>): string {
  return [host.os, host.arch].filter(Boolean).join(' / ') || '—';
}

export function LastSeen({ value }: { value: string | null | undefined }) {
  return (
    <Tooltip label={formatDateTime(value, true)} disabled={!value}>
      <Text size="sm" c={value ? undefined : 'dimmed'} span>
        {formatRelative(value)}
      </Text>
    </Tooltip>
  );
}

export function HostsTable({ hosts }: { hosts: Host[] }) {
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  return (
    <Table.ScrollContainer minWidth={phone ? 0 : 860}>
      <Table verticalSpacing="sm" highlightOnHover data-testid="hosts-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Host</Table.Th>
            <Table.Th visibleFrom="sm">OS / arch</Table.Th>
            <Table.Th visibleFrom="sm">Agent</Table.Th>
            <Table.Th visibleFrom="md">restic</Table.Th>
            <Table.Th style={{ whiteSpace: 'nowrap' }}>Last seen</Table.Th>
            <Table.Th visibleFrom="sm">Tags</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {hosts.map((host) => (
            <Table.Tr key={host.id} data-testid={`host-row-${host.hostname}`} data-host-id={host.id} data-status={host.status}>
              <Table.Td>
                <Group gap="sm" wrap="nowrap">
                  <StatusDot status={host.status} />
                  <div style={{ minWidth: 0 }}>
                    <Anchor component={Link} to={`/hosts/${host.id}`} fw={600} size="sm" ff="monospace">
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
                <LastSeen value={host.last_seen_at} />
              </Table.Td>
              <Table.Td visibleFrom="sm">
                <TagBadges tags={host.tags} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

// The alerts table; each row links to its alert. On a phone the host, count and times fold
// under the title, and the actions stay at the row's end.
import { Anchor, Group, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Alert } from '@/api/types';
import { AlertSeverityBadge, AlertStateBadge } from '@/components/AlertBadges';
import { DataTable, type Column } from '@/components/DataTable';
import { RelativeTime } from '@/components/RelativeTime';
import { RULE_LABEL, isQuiet } from '@/lib/alerts';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { formatCount } from '@/lib/units';
import { AlertActions } from './AlertActions';

function HostLink({ id, names }: { id: string | undefined; names: Map<string, string> }) {
  if (!id) return <Text size="sm" c="dimmed">—</Text>;
  return (
    <Anchor component={Link} to={paths.host(id)} size="sm" ff="monospace">
      {names.get(id) ?? `host ${id.slice(0, 8)}`}
    </Anchor>
  );
}

export function AlertsTable({ alerts, hostNames, canManage }: { alerts: Alert[]; hostNames: Map<string, string>; canManage: boolean }) {
  const columns: Column[] = [
    { key: 'severity', label: 'Severity', w: 100 },
    { key: 'alert', label: 'Alert' },
    { key: 'host', label: 'Host', visibleFrom: 'sm' },
    { key: 'count', label: 'Count', visibleFrom: 'sm', nowrap: true },
    { key: 'opened', label: 'Opened', visibleFrom: 'sm', nowrap: true },
    { key: 'seen', label: 'Last seen', visibleFrom: 'md', nowrap: true },
    // Wide enough for "Acknowledged": a badge squeezed by a long title read "O…".
    { key: 'state', label: 'State', visibleFrom: 'sm', nowrap: true, w: 130 },
    ...(canManage ? [{ key: 'actions', label: 'Actions', hiddenLabel: true }] : []),
  ];
  return (
    <DataTable columns={columns} minWidth={960} testId="alerts-table">
      {alerts.map((alert) => {
        const snoozed = alert.state !== 'resolved' && isQuiet(alert.snoozed_until);
        return (
          <Table.Tr key={alert.id} data-testid="alert-row" data-alert-id={alert.id} data-state={alert.state} data-severity={alert.severity}>
            <Table.Td>
              <AlertSeverityBadge severity={alert.severity} />
            </Table.Td>
            <Table.Td>
              <Anchor component={Link} to={paths.alert(alert.id)} fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>
                {alert.title}
              </Anchor>
              <Text size="xs" c="dimmed" lineClamp={2} style={{ overflowWrap: 'anywhere' }}>
                {RULE_LABEL[alert.rule]} · {alert.message}
              </Text>
              {snoozed ? (
                <Text size="xs" c="dimmed" data-testid="alert-snoozed">
                  Snoozed until {formatDateTime(alert.snoozed_until)}
                </Text>
              ) : null}
              <Group gap={6} hiddenFrom="sm" mt={2}>
                <AlertStateBadge state={alert.state} size="xs" />
                {alert.host_id ? <HostLink id={alert.host_id} names={hostNames} /> : null}
                <Text size="xs" c="dimmed">
                  {alert.count > 1 ? `×${formatCount(alert.count)} · ` : ''}
                  <RelativeTime value={alert.last_seen_at} seconds={false} />
                </Text>
              </Group>
            </Table.Td>
            <Table.Td visibleFrom="sm">
              <HostLink id={alert.host_id} names={hostNames} />
            </Table.Td>
            <Table.Td visibleFrom="sm" data-testid="alert-count">
              <Text size="sm" c={alert.count > 1 ? undefined : 'dimmed'}>
                ×{formatCount(alert.count)}
              </Text>
            </Table.Td>
            <Table.Td visibleFrom="sm" style={{ whiteSpace: 'nowrap' }}>
              <RelativeTime value={alert.opened_at} />
            </Table.Td>
            <Table.Td visibleFrom="md" style={{ whiteSpace: 'nowrap' }}>
              <RelativeTime value={alert.last_seen_at} />
            </Table.Td>
            <Table.Td visibleFrom="sm" style={{ whiteSpace: 'nowrap', minWidth: 120 }}>
              <AlertStateBadge state={alert.state} />
            </Table.Td>
            {canManage ? (
              <Table.Td>
                <AlertActions alert={alert} compact />
              </Table.Td>
            ) : null}
          </Table.Tr>
        );
      })}
    </DataTable>
  );
}

// What went out over notification channels: one row per delivery (channel or alert, event, state,
// attempts, the receiver's last answer, times). Shared by the alert page and a channel's log.
import { Anchor, Badge, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Delivery, DeliveryState } from '@/api/types';
import { RelativeTime } from '@/components/RelativeTime';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';

export const DELIVERY_STATE_META: Record<DeliveryState, { label: string; color: string }> = {
  pending: { label: 'Pending', color: 'gray' },
  sending: { label: 'Sending', color: 'blue' },
  delivered: { label: 'Delivered', color: 'green' },
  failed: { label: 'Failed', color: 'red' },
  suppressed: { label: 'Suppressed', color: 'yellow' },
};

export function DeliveryStateBadge({ state }: { state: DeliveryState }) {
  const meta = DELIVERY_STATE_META[state];
  return (
    <Badge color={meta.color} variant="light">
      {meta.label}
    </Badge>
  );
}

interface Props {
  deliveries: Delivery[];
  /** The first column: the channel (on an alert's page) or the alert (in a channel's log). */
  show: 'channel' | 'alert';
}

export function DeliveriesTable({ deliveries, show }: Props) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing="xs" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{show === 'channel' ? 'Channel' : 'Alert'}</Table.Th>
            <Table.Th>Event</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>Last answer</Table.Th>
            <Table.Th>When</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deliveries.map((d) => (
            <Table.Tr key={d.id} data-testid="delivery-row" data-state={d.state}>
              <Table.Td>
                {show === 'channel' ? (
                  <Text size="sm">{d.channel_name ?? 'Deleted channel'}</Text>
                ) : (
                  <Anchor component={Link} to={paths.alert(d.alert_id)} size="sm" ff="monospace">
                    {d.alert_id.slice(0, 8)}
                  </Anchor>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{d.event}</Text>
              </Table.Td>
              <Table.Td>
                <DeliveryStateBadge state={d.state} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{d.attempts}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={d.last_error ? 'red' : undefined} style={{ overflowWrap: 'anywhere' }}>
                  {[d.last_status, d.last_error].filter((x) => x !== undefined && x !== '').join(' · ') || '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" title={formatDateTime(d.created_at)}>
                  <RelativeTime value={d.created_at} />
                </Text>
                {d.delivered_at ? (
                  <Text size="xs" c="dimmed">
                    delivered {formatDateTime(d.delivered_at)}
                  </Text>
                ) : null}
                {d.next_attempt_at && d.state !== 'delivered' ? (
                  <Text size="xs" c="dimmed">
                    next try {formatDateTime(d.next_attempt_at)}
                  </Text>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

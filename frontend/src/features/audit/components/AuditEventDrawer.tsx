// Side drawer with every field of one audit event, including its details JSON and chain hash.
import { Code, Drawer, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { AuditEvent } from '@/api/types';
import { formatDateTime } from '@/lib/format';
import { OutcomeBadge } from './OutcomeBadge';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={120} style={{ verticalAlign: 'top' }}>
        <Text size="sm" c="dimmed" fw={500}>
          {label}
        </Text>
      </Table.Th>
      <Table.Td style={{ wordBreak: 'break-word' }}>{children}</Table.Td>
    </Table.Tr>
  );
}

const dash = (v: string | undefined) => v ?? '—';

export function AuditEventDrawer({ event, onClose }: { event: AuditEvent | null; onClose: () => void }) {
  return (
    <Drawer
      opened={event !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={event ? `Event #${event.id}` : null}
      data-testid="audit-drawer"
    >
      {event ? (
        <Stack gap="md">
          <Table withRowBorders={false} verticalSpacing={6} layout="fixed">
            <Table.Tbody>
              <Row label="Time">{formatDateTime(event.time, true)}</Row>
              <Row label="Action">
                <Code>{event.action}</Code>
              </Row>
              <Row label="Outcome">
                <OutcomeBadge outcome={event.outcome} />
              </Row>
              <Row label="Actor">
                {dash(event.actor_name)} <Text span c="dimmed" size="sm">({event.actor_kind}{event.actor_id ? `, ${event.actor_id}` : ''})</Text>
              </Row>
              <Row label="Target">
                {event.target_kind || event.target_name || event.target_id ? (
                  <>
                    {dash(event.target_name)}{' '}
                    <Text span c="dimmed" size="sm">
                      ({[event.target_kind, event.target_id].filter(Boolean).join(', ')})
                    </Text>
                  </>
                ) : (
                  '—'
                )}
              </Row>
              <Row label="Source IP">
                <Text span ff="monospace" size="sm">
                  {dash(event.source_ip)}
                </Text>
              </Row>
              <Row label="User agent">
                <Text span size="sm">
                  {dash(event.user_agent)}
                </Text>
              </Row>
              <Row label="Hash">
                <Text span ff="monospace" size="xs" style={{ wordBreak: 'break-all' }}>
                  {event.hash}
                </Text>
              </Row>
            </Table.Tbody>
          </Table>
          <Stack gap={6}>
            <Text fw={600} size="sm">
              Details
            </Text>
            <Code block data-testid="audit-details-json">
              {JSON.stringify(event.details ?? {}, null, 2)}
            </Code>
          </Stack>
        </Stack>
      ) : null}
    </Drawer>
  );
}

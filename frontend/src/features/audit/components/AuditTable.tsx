// Audit events table; a row opens the event's details (click, Enter or Space).
import { Code, Table, Text } from '@mantine/core';
import type { AuditEvent } from '@/api/types';
import { formatDateTime } from '@/lib/format';
import { OutcomeBadge } from './OutcomeBadge';

export function actorLabel(e: AuditEvent): string {
  return e.actor_name ?? e.actor_id ?? e.actor_kind;
}

export function targetLabel(e: AuditEvent): string | null {
  const name = e.target_name ?? e.target_id;
  if (!name && !e.target_kind) return null;
  return [e.target_kind, name].filter(Boolean).join(': ');
}

export function AuditTable({ events, onOpen }: { events: AuditEvent[]; onOpen: (e: AuditEvent) => void }) {
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table verticalSpacing="xs" highlightOnHover data-testid="audit-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Source IP</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((e) => {
            const target = targetLabel(e);
            return (
              <Table.Tr
                key={e.id}
                data-testid="audit-row"
                data-action={e.action}
                data-outcome={e.outcome}
                data-actor={actorLabel(e)}
                tabIndex={0}
                style={{ cursor: 'pointer' }}
                aria-label={`${e.action} by ${actorLabel(e)}, ${e.outcome}`}
                onClick={() => onOpen(e)}
                onKeyDown={(k) => {
                  if (k.key === 'Enter' || k.key === ' ') {
                    k.preventDefault();
                    onOpen(e);
                  }
                }}
              >
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                    {formatDateTime(e.time, true)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {actorLabel(e)}
                  </Text>
                  {e.actor_kind !== 'user' ? (
                    <Text size="xs" c="dimmed">
                      {e.actor_kind}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Code>{e.action}</Code>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={target ? undefined : 'dimmed'}>
                    {target ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <OutcomeBadge outcome={e.outcome} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace" c={e.source_ip ? undefined : 'dimmed'}>
                    {e.source_ip ?? '—'}
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

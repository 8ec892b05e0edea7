// Audit events table; a row opens the event's details (click, Enter or Space).
import { Code, Table, Text } from '@mantine/core';
import type { AuditEvent } from '@/api/types';
import { DataTable, type Column } from '@/components/DataTable';
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

/** A refused request has no target object; its details say which request it was. */
function requestOf(e: AuditEvent): string | null {
  const details: unknown = e.details;
  if (typeof details === 'object' && details !== null && 'request' in details) {
    const request = details.request;
    return typeof request === 'string' ? request : null;
  }
  return null;
}

const columns: Column[] = [
  { key: 'time', label: 'Time', visibleFrom: 'sm' },
  { key: 'actor', label: 'Actor' },
  { key: 'action', label: 'Action' },
  { key: 'target', label: 'Target', visibleFrom: 'sm' },
  { key: 'outcome', label: 'Outcome' },
  { key: 'ip', label: 'Source IP', visibleFrom: 'md' },
];

export function AuditTable({ events, onOpen }: { events: AuditEvent[]; onOpen: (e: AuditEvent) => void }) {
  return (
    <DataTable columns={columns} minWidth={820} testId="audit-table" verticalSpacing="xs">
      {events.map((e) => {
        const target = targetLabel(e);
        const request = target ? null : requestOf(e);
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
            <Table.Td visibleFrom="sm">
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
              <Text size="xs" c="dimmed" hiddenFrom="sm" mt={2}>
                {formatDateTime(e.time, true)}
              </Text>
            </Table.Td>
            <Table.Td visibleFrom="sm">
              {target ? (
                <Text size="sm">{target}</Text>
              ) : (
                <Text size="sm" c="dimmed" ff={request ? 'monospace' : undefined}>
                  {request ?? '—'}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <OutcomeBadge outcome={e.outcome} />
            </Table.Td>
            <Table.Td visibleFrom="md">
              <Text size="sm" ff="monospace" c={e.source_ip ? undefined : 'dimmed'}>
                {e.source_ip ?? '—'}
              </Text>
            </Table.Td>
          </Table.Tr>
        );
      })}
    </DataTable>
  );
}

// What a forget kept (with restic's reasons) and removed, or would have removed when it was a
// dry run, blocked or a retention preview: a collapsible table, newest first, ids shortened
// like restic's own. Shared by the job page, the schedule editor and the repository page.
import { Badge, Button, Collapse, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { useState } from 'react';
import type { ForgetReport, ForgetSnapshot } from '@/api/types';

/** A forget's report, or a preview's lists (`removed` absent: nothing was removed). */
export type ForgetLists = Pick<ForgetReport, 'keep' | 'remove'> & { removed?: boolean };
import { formatDateTime } from '@/lib/format';

/** restic's short id: the first 8 hex digits. */
export const shortId = (id: string) => id.slice(0, 8);

interface Row {
  snap: ForgetSnapshot;
  kept: boolean;
}

/** Kept and removed in one list, newest first (equal times keep the kept ones first). */
export function reportRows(report: ForgetLists): Row[] {
  const rows = [...report.keep.map((snap) => ({ snap, kept: true })), ...report.remove.map((snap) => ({ snap, kept: false }))];
  return rows.sort((a, b) => b.snap.time.localeCompare(a.snap.time));
}

export function ForgetReportTable({ report, defaultOpen = false }: { report: ForgetLists; defaultOpen?: boolean }) {
  const [open, setOpen] = useState(defaultOpen);
  const removedWord = report.removed === true ? 'removed' : 'to remove';
  return (
    <Paper withBorder radius="md" p="sm" data-testid="forget-report">
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Button
            variant="subtle"
            size="compact-sm"
            leftSection={open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
            onClick={() => setOpen((o) => !o)}
            aria-expanded={open}
          >
            {report.keep.length} kept · {report.remove.length} {removedWord}
          </Button>
        </Group>
        <Collapse expanded={open}>
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing={6} data-testid="forget-report-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Snapshot</Table.Th>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Host and paths</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {reportRows(report).map(({ snap, kept }, i) => (
                  // The index too: a report is the agent's, and nothing promises its ids are unique.
                  <Table.Tr key={`${i}-${snap.id}`} data-testid={kept ? 'forget-kept' : 'forget-removed'}>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {shortId(snap.id)}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Text size="sm">{formatDateTime(snap.time)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                        {snap.hostname}: {snap.paths.join(', ')}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {kept ? (
                        <Group gap={4}>
                          <Badge color="teal" variant="light" size="sm" tt="none">
                            keep
                          </Badge>
                          <Text size="xs" c="dimmed">
                            {snap.reasons.join(', ')}
                          </Text>
                        </Group>
                      ) : (
                        <Badge color="red" variant="light" size="sm" tt="none">
                          {removedWord}
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Collapse>
      </Stack>
    </Paper>
  );
}

// What a restore did (`result.restore`) and what a restore drill found (`result.drill`): the
// counts, bytes and time, whether restic verified the files, and the paths it skipped or that
// failed (or, for a drill, that did not match), each with why.
import { Badge, Card, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { components } from '@/api/schema';
import { formatBytes, formatCount } from '@/lib/units';

type RestoreReport = components['schemas']['RestoreReport'];
type DrillReport = components['schemas']['DrillReport'];
type Problem = components['schemas']['RestoreProblem'];

function Stat({ label, value, color, testId }: { label: string; value: string; color?: string; testId: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz="lg" fw={700} c={color} data-testid={testId} style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Text>
    </Paper>
  );
}

/** "restored in 1.2 s", "in 850 ms", "in 2 min 5 s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

function VerifiedBadge({ verified }: { verified: boolean | undefined }) {
  // Verification is an option of the restore: absent means it was not asked for, not that it failed.
  if (verified === undefined)
    return (
      <Badge variant="light" color="gray" data-testid="report-verified">
        verify not requested
      </Badge>
    );
  return verified ? (
    <Badge variant="light" color="teal" data-testid="report-verified">
      verified
    </Badge>
  ) : (
    <Badge variant="light" color="red" data-testid="report-verified">
      verification failed
    </Badge>
  );
}

function ProblemTable({ title, problems, total, testId }: { title: string; problems: Problem[]; total?: number; testId: string }) {
  if (problems.length === 0) return null;
  return (
    <Stack gap={4}>
      <Text fw={600} size="sm">
        {title}
        {total !== undefined && total > problems.length ? ` (the first ${formatCount(problems.length)} of ${formatCount(total)})` : ''}
      </Text>
      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={0} mah={320}>
          <Table verticalSpacing={4} data-testid={testId}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Path</Table.Th>
                <Table.Th>Why</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {problems.map((p) => (
                <Table.Tr key={p.path}>
                  <Table.Td>
                    <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                      {p.path}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{p.reason}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    </Stack>
  );
}

export function RestoreReportCard({ report }: { report: RestoreReport }) {
  return (
    <Card withBorder radius="md" padding="lg" data-testid="restore-report">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Title order={3} fz="h4">
            Restore report
          </Title>
          <VerifiedBadge verified={report.verified} />
        </Group>
        <Text size="sm">
          Into{' '}
          <Text span ff="monospace" data-testid="report-target" style={{ overflowWrap: 'anywhere' }}>
            {report.target}
          </Text>{' '}
          · {formatBytes(report.bytes)} in {formatMs(report.duration_ms)}
        </Text>
        <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="xs">
          <Stat label="Created" value={formatCount(report.created)} testId="report-created" />
          <Stat label="Overwritten" value={formatCount(report.overwritten)} testId="report-overwritten" />
          <Stat label="Skipped" value={formatCount(report.skipped)} testId="report-skipped" />
          <Stat label="Deleted" value={formatCount(report.deleted)} testId="report-deleted" />
          <Stat label="Failed" value={formatCount(report.failed_count)} color={report.failed_count > 0 ? 'red' : undefined} testId="report-failed" />
        </SimpleGrid>
        <ProblemTable title="Failed" problems={report.failed} total={report.failed_count} testId="report-failed-table" />
        <ProblemTable title="Skipped (kept by the overwrite policy)" problems={report.skipped_paths} total={report.skipped} testId="report-skipped-table" />
      </Stack>
    </Card>
  );
}

export function DrillReportCard({ report }: { report: DrillReport }) {
  const ok = report.mismatches.length === 0;
  return (
    <Card withBorder radius="md" padding="lg" data-testid="drill-report">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Title order={3} fz="h4">
            Restore drill
          </Title>
          <VerifiedBadge verified={report.verified} />
        </Group>
        <Text size="sm" data-testid="drill-summary">
          {formatCount(report.files)} {report.files === 1 ? 'file' : 'files'} ({formatBytes(report.bytes)}) of snapshot{' '}
          <Text span ff="monospace">
            {report.snapshot_id.slice(0, 8)}
          </Text>{' '}
          restored in {formatMs(report.restore_ms)}
          {ok ? ', all matching the snapshot.' : '.'}
        </Text>
        <ProblemTable title="Mismatches" problems={report.mismatches} testId="drill-mismatches" />
      </Stack>
    </Card>
  );
}

// What a finished backup did: files new/changed/unmodified, data added, what was processed,
// how long it took and the snapshot it made.
import { Card, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import type { BackupSummary } from '@/api/types';
import { CopyIconButton } from '@/components/CopyIconButton';
import { formatBytes, formatCount, formatDuration } from '@/lib/units';

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz="lg" fw={700} data-testid={testId}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Paper>
  );
}

export function JobSummaryStats({ summary }: { summary: BackupSummary }) {
  return (
    <Card withBorder radius="md" padding="lg" data-testid="job-summary">
      <Title order={3} fz="h4" mb="sm">
        Summary
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
        <Stat label="New files" value={formatCount(summary.files_new)} hint={`${formatCount(summary.dirs_new)} new folders`} testId="stat-new" />
        <Stat
          label="Changed files"
          value={formatCount(summary.files_changed)}
          hint={`${formatCount(summary.dirs_changed)} changed folders`}
          testId="stat-changed"
        />
        <Stat
          label="Unmodified"
          value={formatCount(summary.files_unmodified)}
          hint={`${formatCount(summary.dirs_unmodified)} folders`}
          testId="stat-unmodified"
        />
        <Stat label="Data added" value={formatBytes(summary.data_added)} hint="after deduplication" testId="stat-added" />
        <Stat
          label="Processed"
          value={formatBytes(summary.total_bytes_processed)}
          hint={`${formatCount(summary.total_files_processed)} files`}
          testId="stat-processed"
        />
        <Stat label="Duration" value={formatDuration(summary.total_duration_secs)} testId="stat-duration" />
      </SimpleGrid>
      {summary.snapshot_id ? (
        <Group gap="xs" mt="sm" wrap="nowrap">
          <Text size="sm" c="dimmed">
            Snapshot
          </Text>
          <Text size="sm" ff="monospace" data-testid="summary-snapshot" style={{ overflowWrap: 'anywhere' }}>
            {summary.snapshot_id}
          </Text>
          <CopyIconButton value={summary.snapshot_id} label="snapshot id" size="sm" />
        </Group>
      ) : null}
    </Card>
  );
}

// A running job's progress: the bar with its percent, files and bytes done of the total,
// elapsed time and restic's estimate of what is left, and the files it is reading now.
import { Card, Group, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { JobProgress } from '@/api/types';
import { formatBytes, formatCount, formatDuration, percent } from '@/lib/units';

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" fw={500} data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

export function JobProgressCard({ progress, running }: { progress: JobProgress | undefined; running: boolean }) {
  const pct = percent(progress?.fraction);
  const eta = progress?.seconds_remaining !== undefined ? `about ${formatDuration(progress.seconds_remaining)}` : 'estimating…';
  const current = progress?.current_files ?? [];
  return (
    <Card withBorder radius="md" padding="lg" data-testid="job-progress">
      <Stack gap="sm">
        <Group justify="space-between" align="baseline">
          <Title order={3} fz="h4">
            Progress
          </Title>
          <Text fw={700} fz="xl" data-testid="progress-percent">
            {pct} %
          </Text>
        </Group>
        <Progress
          value={pct}
          size="lg"
          radius="xl"
          animated={running}
          aria-label="Backup progress"
          transitionDuration={300}
        />
        {progress ? (
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
            <Figure
              label="Files"
              testId="progress-files"
              value={`${formatCount(progress.files_done)} / ${formatCount(progress.total_files)}`}
            />
            <Figure
              label="Data"
              testId="progress-bytes"
              value={`${formatBytes(progress.bytes_done)} / ${formatBytes(progress.total_bytes)}`}
            />
            <Figure label="Elapsed" testId="progress-elapsed" value={formatDuration(progress.seconds_elapsed)} />
            <Figure label="Time left" testId="progress-eta" value={running ? eta : '—'} />
          </SimpleGrid>
        ) : (
          <Text size="sm" c="dimmed">
            {running ? 'restic is scanning the files; numbers appear once it has counted them.' : 'Waiting for the agent to start.'}
          </Text>
        )}
        {running && current.length > 0 ? (
          <div data-testid="progress-current">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Now reading
            </Text>
            {current.map((file) => (
              // Cut at the start (the file name matters most); the marks keep "/" where it belongs
              // in the right-to-left trick that truncation uses.
              <Text key={file} size="sm" ff="monospace" truncate="start" title={file}>
                {`\u200E${file}\u200E`}
              </Text>
            ))}
          </div>
        ) : null}
      </Stack>
    </Card>
  );
}

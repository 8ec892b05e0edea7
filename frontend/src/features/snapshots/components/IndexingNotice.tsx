// What the browser shows while the agent reads a snapshot for the first time (restic ls): how
// many paths it has read, or that it waits for another snapshot to be read first. Announced
// politely to screen readers; the page asks again every second.
import { Group, Loader, Paper, Stack, Text } from '@mantine/core';
import type { IndexProgress } from '@/api/types';
import { formatCount } from '@/lib/units';

export function indexingText(progress: IndexProgress): string {
  return progress.started ? `Reading the snapshot… ${formatCount(progress.paths_read)} paths read` : 'Waiting for another snapshot to be read first';
}

export function IndexingNotice({ progress, reader }: { progress: IndexProgress; reader: string }) {
  return (
    <Paper withBorder radius="md" p="lg" data-testid="snapshot-indexing" data-started={progress.started}>
      <Group gap="md" wrap="nowrap" align="flex-start">
        <Loader size="sm" mt={2} />
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Text fw={600} role="status" aria-live="polite" data-testid="snapshot-indexing-text">
            {indexingText(progress)}
          </Text>
          <Text size="sm" c="dimmed">
            {progress.started
              ? `The agent on ${reader} lists this snapshot once; after that every folder opens at once. This page updates by itself.`
              : `The agent on ${reader} reads one snapshot at a time and starts this one next. This page updates by itself.`}
          </Text>
        </Stack>
      </Group>
    </Paper>
  );
}

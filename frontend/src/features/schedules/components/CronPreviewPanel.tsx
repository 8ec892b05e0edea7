// The editor's live preview of a cron expression: the server's sentence and the next five fire
// times in the zone it is read in, or the server's own message when it refuses the expression.
// Asked once typing pauses (debounced), so each keystroke does not cost a request.
import { Alert, List, Loader, Paper, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconAlertTriangle, IconCalendarTime } from '@tabler/icons-react';
import { errorMessage } from '@/api/errors';
import { formatRelative } from '@/lib/format';
import { formatInZone } from '@/lib/zones';
import { useCronPreview } from '../api';

export const PREVIEW_DEBOUNCE_MS = 400;

interface Props {
  cron: string;
  /** The schedule's own zone; null reads the cron in the host's. */
  timezone: string | null;
  hostId: string;
  /** Whose zone an empty `timezone` means, for the caption ("the host's zone"). */
  usesHostZone: boolean;
}

export function CronPreviewPanel({ cron, timezone, hostId, usesHostZone }: Props) {
  const [debouncedCron] = useDebouncedValue(cron.trim(), PREVIEW_DEBOUNCE_MS);
  const preview = useCronPreview(debouncedCron, timezone, hostId);
  // Typed ahead of the last answer: say it is being checked rather than show a stale verdict as current.
  const settling = debouncedCron !== cron.trim() || preview.isFetching;

  if (!cron.trim()) return null;

  if (preview.isError && !settling) {
    return (
      <Alert
        color="red"
        variant="light"
        icon={<IconAlertTriangle size={18} />}
        title="This schedule cannot be used"
        data-testid="cron-preview"
        data-state="error"
        role="alert"
      >
        <Text size="sm">{errorMessage(preview.error)}</Text>
      </Alert>
    );
  }

  const data = preview.data;
  if (!data) {
    return (
      <Paper withBorder radius="md" p="sm" data-testid="cron-preview" data-state="loading" aria-live="polite">
        <Text size="sm" c="dimmed">
          <Loader size={12} mr={8} />
          Checking the schedule…
        </Text>
      </Paper>
    );
  }

  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      data-testid="cron-preview"
      data-state={settling ? 'loading' : 'ok'}
      aria-live="polite"
      style={{ opacity: settling ? 0.6 : 1, transition: 'opacity 120ms' }}
    >
      <Stack gap={6}>
        <Text fw={600} size="sm" data-testid="cron-preview-sentence">
          <IconCalendarTime size={16} style={{ verticalAlign: '-3px', marginRight: 6 }} />
          {data.description}
        </Text>
        <Text size="xs" c="dimmed">
          Next runs, in {data.timezone}
          {usesHostZone ? ' (the host’s zone)' : ''}:
        </Text>
        <List size="sm" spacing={2} data-testid="cron-preview-fires" listStyleType="none" ml={0}>
          {data.next_fires.map((fire) => (
            <List.Item key={fire} data-testid="cron-preview-fire">
              {/* Each part keeps to one line: on a phone the relative time moves under the time, whole. */}
              <Text span size="sm" ff="monospace" data-testid="cron-preview-time" style={{ whiteSpace: 'nowrap' }}>
                {formatInZone(fire, data.timezone)}
              </Text>{' '}
              <Text span size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                · {formatRelative(fire)}
              </Text>
            </List.Item>
          ))}
        </List>
      </Stack>
    </Paper>
  );
}

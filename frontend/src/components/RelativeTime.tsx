// A time as "5 minutes ago", with the exact date and time in a tooltip; "never" when absent.
import { Text, Tooltip } from '@mantine/core';
import { formatDateTime, formatRelative } from '@/lib/format';

export function RelativeTime({ value, seconds = true }: { value: string | undefined; seconds?: boolean }) {
  return (
    <Tooltip label={formatDateTime(value, seconds)} disabled={!value}>
      <Text size="sm" c={value ? undefined : 'dimmed'} span>
        {formatRelative(value)}
      </Text>
    </Tooltip>
  );
}

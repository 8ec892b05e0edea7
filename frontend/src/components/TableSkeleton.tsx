// Placeholder rows while a table's first page loads (keeps the layout from jumping).
import { Paper, Skeleton, Stack } from '@mantine/core';

export function TableSkeleton({ rows = 4, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <Paper withBorder radius="md" p="md" aria-busy="true" aria-label={label}>
      <Stack gap="md">
        <Skeleton height={14} width="40%" />
        {Array.from({ length: rows }, (_, i) => (
          <Skeleton key={i} height={28} />
        ))}
      </Stack>
    </Paper>
  );
}

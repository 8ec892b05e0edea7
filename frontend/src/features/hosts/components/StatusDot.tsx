// Online/offline dot with a readable label for screen readers (and a tooltip for everyone).
import { Box, Group, Text, Tooltip } from '@mantine/core';
import type { HostStatus } from '@/api/types';

const labels: Record<HostStatus, string> = { online: 'Online', offline: 'Offline' };

export function StatusDot({ status, withLabel = false }: { status: HostStatus; withLabel?: boolean }) {
  const dot = (
    <Box
      component="span"
      role="img"
      aria-label={labels[status]}
      data-testid="status-dot"
      data-status={status}
      w={10}
      h={10}
      style={{
        display: 'inline-block',
        flex: 'none',
        borderRadius: '50%',
        background: status === 'online' ? 'var(--mantine-color-green-6)' : 'var(--mantine-color-gray-5)',
        boxShadow: status === 'online' ? '0 0 0 3px var(--mantine-color-green-light)' : undefined,
      }}
    />
  );
  if (withLabel) {
    return (
      <Group gap={8} wrap="nowrap">
        {dot}
        <Text size="sm" c={status === 'online' ? undefined : 'dimmed'}>
          {labels[status]}
        </Text>
      </Group>
    );
  }
  return <Tooltip label={labels[status]}>{dot}</Tooltip>;
}

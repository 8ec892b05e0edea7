// Said plainly when the snapshot's own host is offline and another host linked to the same
// repository read it instead.
import { Alert, Text } from '@mantine/core';
import { IconRoute } from '@tabler/icons-react';
import type { ReadThroughHost } from '@/api/types';

export function ReadThroughNote({ readThrough, hostname }: { readThrough: ReadThroughHost | undefined; hostname: string }) {
  if (!readThrough) return null;
  return (
    <Alert color="blue" variant="light" p="xs" icon={<IconRoute size={18} />} role="status" data-testid="read-through">
      <Text size="sm">
        Read through host <strong>{readThrough.hostname}</strong>: {hostname} is offline, so the agent of another host linked to the same repository
        read it.
      </Text>
    </Alert>
  );
}

// A snapshot's two ways on: open it in the browser (where files are picked for a restore or a
// download) and see what changed since the snapshot before it. Shared by the list and the calendar.
import { Button, Group } from '@mantine/core';
import { IconFolderOpen, IconGitCompare } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { Snapshot } from '@/api/types';
import { paths } from '@/lib/paths';

export function SnapshotLinks({ hostId, snapshot: s, browse, wrap }: { hostId: string; snapshot: Snapshot; browse: 'Browse' | 'Browse and restore'; wrap: boolean }) {
  return (
    <Group gap={6} wrap={wrap ? 'wrap' : 'nowrap'}>
      <Button
        component={Link}
        to={paths.snapshot(hostId, s.id, { repositoryId: s.repository_id })}
        variant="light"
        size="xs"
        leftSection={<IconFolderOpen size={14} />}
        aria-label={`${browse} snapshot ${s.short_id}`}
      >
        {browse}
      </Button>
      <Button
        component={Link}
        to={paths.snapshotDiff(hostId, s.id, { repositoryId: s.repository_id })}
        variant="subtle"
        size="xs"
        leftSection={<IconGitCompare size={14} />}
        aria-label={`What changed in snapshot ${s.short_id}`}
        data-testid="snapshot-diff-link"
      >
        What changed
      </Button>
    </Group>
  );
}

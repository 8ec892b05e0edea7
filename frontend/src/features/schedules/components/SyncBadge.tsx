// Whether the host's agent runs the current schedules: "In sync", or "Agent at version N of M"
// while it has not applied the latest change yet (it gets it at its next poll).
import { Badge, Loader, Tooltip } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import type { ScheduleList } from '@/api/types';

export function SyncBadge({ list }: { list: Pick<ScheduleList, 'in_sync' | 'config_version' | 'applied_config_version'> }) {
  if (list.in_sync) {
    return (
      <Tooltip label={`The agent runs the current schedules (configuration version ${list.config_version}).`} withArrow multiline w={260}>
        <Badge color="teal" variant="light" size="lg" tt="none" leftSection={<IconCircleCheck size={14} />} data-testid="schedules-sync" data-in-sync="true">
          In sync
        </Badge>
      </Tooltip>
    );
  }
  return (
    <Tooltip label="The agent receives the change at its next poll: at once while it is online." withArrow multiline w={260}>
      <Badge color="yellow" variant="light" size="lg" tt="none" leftSection={<Loader size={10} color="yellow" />} data-testid="schedules-sync" data-in-sync="false">
        Agent at version {list.applied_config_version} of {list.config_version}
      </Badge>
    </Tooltip>
  );
}

// A job's state as a colored badge (a spinner dot while it runs), the same on every page.
import { Badge, Loader, Tooltip, type BadgeProps } from '@mantine/core';
import type { JobState } from '@/api/types';
import { JOB_STATE_META, isActiveJob } from '@/lib/jobs';

export function JobStatusBadge({ status, ...props }: { status: JobState } & Omit<BadgeProps, 'color' | 'children'>) {
  const meta = JOB_STATE_META[status];
  return (
    <Tooltip label={meta.help} withArrow openDelay={300}>
      <Badge
        color={meta.color}
        variant="light"
        data-testid="job-status"
        data-status={status}
        leftSection={isActiveJob(status) && status !== 'queued' ? <Loader size={10} color={meta.color} type="oval" /> : undefined}
        style={{ flexShrink: 0 }}
        {...props}
      >
        {meta.label}
      </Badge>
    </Tooltip>
  );
}

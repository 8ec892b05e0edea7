// A host's next scheduled run and its last scheduled run (from its schedules, computed by the
// server), compact for the fleet table and the host page's header: relative times with the
// exact time in a tooltip, the last run's state as a badge linking to its job.
import { Anchor, Group, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import type { Host } from '@/api/types';
import { JobStatusBadge } from '@/components/JobStatusBadge';
import { formatDateTime, formatRelative } from '@/lib/format';
import { paths } from '@/lib/paths';

type Runs = Pick<Host, 'next_run' | 'last_scheduled_run'>;

/** "in 5 hours · nightly"; null when no enabled cron schedule fires. */
export function nextRunText(host: Runs, now: number = Date.now()): string | null {
  const next = host.next_run;
  if (!next) return null;
  return `${formatRelative(next.at, now)} · ${next.schedule_name}`;
}

/** When the last scheduled run ended (or, while it runs, began), relative to now. */
export function lastRunWhen(host: Runs, now: number = Date.now()): string | null {
  const run = host.last_scheduled_run;
  if (!run) return null;
  return formatRelative(run.finished_at ?? run.created_at, now);
}

export function NextRun({ host }: { host: Runs }) {
  const text = nextRunText(host);
  if (!host.next_run || !text) {
    return (
      <Text size="sm" c="dimmed" data-testid="host-next-run" data-state="none">
        none scheduled
      </Text>
    );
  }
  return (
    <Tooltip label={`${formatDateTime(host.next_run.at)} — ${host.next_run.schedule_name}`} withArrow>
      <Text size="sm" data-testid="host-next-run" data-state="scheduled" span style={{ whiteSpace: 'nowrap' }}>
        {text}
      </Text>
    </Tooltip>
  );
}

export function LastScheduledRun({ host }: { host: Runs }) {
  const run = host.last_scheduled_run;
  if (!run) {
    return (
      <Text size="sm" c="dimmed" data-testid="host-last-run" data-status="none">
        never
      </Text>
    );
  }
  return (
    <Anchor
      component={Link}
      to={paths.job(run.job_id)}
      underline="never"
      data-testid="host-last-run"
      data-status={run.status}
      aria-label={`Last scheduled run of ${run.schedule_name}: ${run.status}, ${lastRunWhen(host)}`}
      w="fit-content"
    >
      <Group gap={6} wrap="nowrap">
        <JobStatusBadge status={run.status} size="sm" />
        <Text size="sm" c="dimmed" span style={{ whiteSpace: 'nowrap' }}>
          {lastRunWhen(host)}
        </Text>
      </Group>
    </Anchor>
  );
}

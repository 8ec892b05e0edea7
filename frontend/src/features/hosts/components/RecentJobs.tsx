// The host's last few jobs (status, kind, when, how long) with a link to all of them.
import { Anchor, Card, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { IconChevronRight } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { Host, Job } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { JobStatusBadge } from '@/components/JobStatusBadge';
import { formatRelative } from '@/lib/format';
import { JOB_KIND_LABEL } from '@/lib/jobs';
import { paths } from '@/lib/paths';
import { formatBytes, formatDuration, percent, secondsBetween } from '@/lib/units';
import { useHostRecentJobs } from '../jobs-api';

function detail(job: Job): string {
  const parts: string[] = [];
  if (job.repository_name) parts.push(job.repository_name);
  if (job.status === 'running' && job.progress) parts.push(`${percent(job.progress.fraction)} %`);
  const seconds = secondsBetween(job.started_at, job.finished_at);
  if (seconds !== null && job.finished_at) parts.push(formatDuration(seconds));
  if (job.summary) parts.push(`${formatBytes(job.summary.data_added)} added`);
  parts.push(formatRelative(job.started_at ?? job.created_at));
  return parts.join(' · ');
}

function JobLine({ job }: { job: Job }) {
  return (
    <NavLink
      component={Link}
      to={paths.job(job.id)}
      data-testid="recent-job"
      data-status={job.status}
      leftSection={<JobStatusBadge status={job.status} />}
      label={JOB_KIND_LABEL[job.kind]}
      description={detail(job)}
      rightSection={<IconChevronRight size={14} />}
      style={{ borderRadius: 'var(--mantine-radius-sm)' }}
    />
  );
}

export function RecentJobs({ host }: { host: Host }) {
  const jobs = useHostRecentJobs(host.id);
  const items = jobs.data?.items ?? [];
  return (
    <Card withBorder radius="md" padding="lg" data-testid="recent-jobs">
      <Stack gap="xs">
        <Group justify="space-between" align="baseline">
          <Title order={3} fz="h4">
            Recent jobs
          </Title>
          {items.length > 0 ? (
            <Anchor component={Link} to={paths.jobs({ hostId: host.id })} size="sm">
              All jobs of {host.hostname}
            </Anchor>
          ) : null}
        </Group>
        <ErrorAlert error={jobs.error} title="Could not load jobs" />
        {jobs.data && items.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="recent-jobs-empty">
            Nothing has run on this host yet. Backups started here or by its schedules are listed with their logs.
          </Text>
        ) : null}
        {jobs.isPending ? (
          <Text size="sm" c="dimmed">
            Loading jobs…
          </Text>
        ) : null}
        <Stack gap={2}>
          {items.map((job) => (
            <JobLine key={job.id} job={job} />
          ))}
        </Stack>
      </Stack>
    </Card>
  );
}

// The top of a job's page: where it belongs (breadcrumbs), what it is, its status in large
// type, who started it and when, and "Cancel" for people allowed to while it has not ended.
import { Anchor, Breadcrumbs, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { Job } from '@/api/types';
import { JobStatusBadge } from '@/components/JobStatusBadge';
import { RelativeTime } from '@/components/RelativeTime';
import { jobActor, jobTitle } from '@/lib/jobs';
import { paths } from '@/lib/paths';
import { CancelJobButton } from './CancelJobButton';

export function JobHeader({ job, canCancel }: { job: Job; canCancel: boolean }) {
  return (
    <Stack gap="xs">
      <Breadcrumbs>
        <Anchor component={Link} to={paths.jobs()} size="sm">
          Jobs
        </Anchor>
        {job.hostname ? (
          <Anchor component={Link} to={paths.jobs({ hostId: job.host_id })} size="sm" ff="monospace">
            {job.hostname}
          </Anchor>
        ) : null}
        <Text size="sm" ff="monospace">
          {job.id.slice(0, 8)}
        </Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end" gap="sm">
        <Stack gap={6} style={{ minWidth: 0 }}>
          <Group gap="sm" wrap="wrap">
            <Title order={2} style={{ overflowWrap: 'anywhere' }}>
              {jobTitle(job)}
            </Title>
            <JobStatusBadge status={job.status} size="xl" />
          </Group>
          <Text size="sm" c="dimmed" component="div">
            Started by {jobActor(job)} · created <RelativeTime value={job.created_at} />
          </Text>
        </Stack>
        {canCancel ? <CancelJobButton job={job} /> : null}
      </Group>
    </Stack>
  );
}

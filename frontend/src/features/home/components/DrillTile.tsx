// The restore drills tile: the fleet's newest drill (host, state, when, files and time to restore), and
// the last verified restore when the newest did not succeed; each opens its job. Refreshed like the fleet tiles.
import { Anchor, Card, Group, Skeleton, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconShieldCheck, IconShieldX } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { Job } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { JobStatusBadge } from '@/components/JobStatusBadge';
import { RelativeTime } from '@/components/RelativeTime';
import { isActiveJob } from '@/lib/jobs';
import { paths } from '@/lib/paths';
import { formatCount, formatDuration } from '@/lib/units';
import { useFleetLastDrill } from '../api';

/** When a drill ended, or was asked for while it has not. */
function whenOf(job: Job): string {
  return job.finished_at ?? job.created_at;
}

function DrillLine({ job, testId }: { job: Job; testId: string }) {
  return (
    <Group gap={6} wrap="wrap" style={{ rowGap: 2 }}>
      <Anchor component={Link} to={paths.job(job.id)} size="sm" fw={600} ff="monospace" data-testid={testId} style={{ overflowWrap: 'anywhere' }}>
        {job.hostname ?? 'a host'}
      </Anchor>
      <JobStatusBadge status={job.status} size="sm" />
      <RelativeTime value={whenOf(job)} seconds={false} />
    </Group>
  );
}

export function DrillTile() {
  const query = useFleetLastDrill(true);
  const latest = query.data?.latest;
  const failed = !!latest && latest.status !== 'succeeded' && !isActiveJob(latest.status);
  let body;
  if (query.isPending) {
    body = (
      <Stack gap={6} aria-busy="true" aria-label="Loading the restore drills">
        <Skeleton height={20} />
        <Skeleton height={16} width="60%" />
      </Stack>
    );
  } else if (query.isError) {
    body = <ErrorAlert error={query.error} title="Could not load the restore drills" />;
  } else if (!latest) {
    body = (
      <Text size="sm" c="dimmed" data-testid="drill-tile-empty">
        No restore drill has run yet —{' '}
        <Anchor component={Link} to={paths.hosts()} size="sm">
          open a host
        </Anchor>{' '}
        and schedule one.
      </Text>
    );
  } else {
    const report = latest.result?.drill;
    const lastVerified = query.data?.lastVerified;
    body = (
      <Stack gap={6}>
        <DrillLine job={latest} testId="drill-tile-latest" />
        {report ? (
          <Text size="sm" data-testid="drill-tile-report">
            {formatCount(report.files)} {report.files === 1 ? 'file' : 'files'} · restored in {formatDuration(report.restore_ms / 1000)}
            {report.verified ? ' · verified' : ''}
          </Text>
        ) : null}
        {failed && latest.error_message ? (
          <Text size="xs" c="dimmed" lineClamp={2} style={{ overflowWrap: 'anywhere' }}>
            {latest.error_message}
          </Text>
        ) : null}
        {latest.status !== 'succeeded' ? (
          <Stack gap={2} data-testid="drill-tile-verified">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Last verified restore
            </Text>
            {lastVerified ? (
              <DrillLine job={lastVerified} testId="drill-tile-verified-job" />
            ) : (
              <Text size="sm" c="dimmed">
                None yet: no drill has succeeded.
              </Text>
            )}
          </Stack>
        ) : null}
      </Stack>
    );
  }
  return (
    <Card withBorder radius="md" padding="md" data-testid="drill-tile" data-state={query.isPending ? 'loading' : query.isError ? 'error' : !latest ? 'none' : failed ? 'failed' : latest.status}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" mb="xs">
        <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
          Restore drills
        </Text>
        <ThemeIcon variant="light" color={failed ? 'red' : 'teal'} size="lg" radius="md">
          {failed ? <IconShieldX size={20} /> : <IconShieldCheck size={20} />}
        </ThemeIcon>
      </Group>
      {body}
    </Card>
  );
}

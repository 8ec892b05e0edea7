// /jobs/:id: one job, live. Status, what went wrong (if anything), progress while it runs,
// the summary when done, the log as it is written, its details and the raw result. A forget
// shows what it kept and removed; one the delete guard blocked can be approved by an admin
// (not one a failed check holds). A backup lists what the agent's preflight found; a copy to a
// mirror says what it copied and what the mirror still lacks.
import { Alert, Anchor, Card, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconClipboardOff, IconPlugConnectedX } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import type { Job } from '@/api/types';
import { DetailLoadError } from '@/components/DetailLoadError';
import { FindingsList } from '@/components/FindingsList';
import { ForgetReportTable } from '@/components/ForgetReportTable';
import { hasHostPermission, hasPermission, useSession } from '@/lib/auth';
import { isActiveJob } from '@/lib/jobs';
import { paths } from '@/lib/paths';
import { useFetchJob, useJob, useRepositoryName, useStoreJob } from '../api';
import { ApproveJobButton } from '../components/ApproveJobButton';
import { CopyReportCard } from '../components/CopyReportCard';
import { JobFacts } from '../components/JobFacts';
import { JobHeader } from '../components/JobHeader';
import { JobOutcomeAlert } from '../components/JobOutcomeAlert';
import { JobProgressCard } from '../components/JobProgressCard';
import { JobSummaryStats } from '../components/JobSummaryStats';
import { LogViewer } from '../components/LogViewer';
import { RawResult } from '../components/RawResult';
import { DrillReportCard, RestoreReportCard } from '../components/RestoreReportCard';
import { useJobFeed, type FeedConnection } from '../hooks/useJobFeed';

function emptyLogText(job: Job): string {
  if (job.status === 'queued') return 'Queued: the agent picks the job up at its next poll (within seconds while it is online).';
  if (isActiveJob(job.status)) return 'Waiting for the first line from restic…';
  if (job.logs_removed_at) {
    const when = new Date(job.logs_removed_at).toLocaleDateString();
    return `This job's ${job.log_lines} log lines were removed on ${when} by history retention (the server's history.job_logs_days setting).`;
  }
  return 'This job wrote no log lines.';
}

function ConnectionNote({ connection }: { connection: FeedConnection }) {
  if (connection === 'reconnecting') {
    return (
      <Text size="sm" c="dimmed" data-testid="feed-reconnecting">
        Connection to the live log lost; reconnecting (no line is missed)…
      </Text>
    );
  }
  if (connection === 'gone') {
    return (
      <Alert color="orange" variant="light" icon={<IconPlugConnectedX size={18} />} title="The live log stopped">
        The job or your session is gone. Reload the page (you may need to sign in again).
      </Alert>
    );
  }
  return null;
}

function JobView({ job }: { job: Job }) {
  const me = useSession();
  const copySourceName = useRepositoryName(job.copy?.from_repository_id);
  const store = useStoreJob();
  const fetchJob = useFetchJob();
  const feed = useJobFeed(job.id, { onStatus: store, onReconnect: () => fetchJob(job.id) });
  const active = isActiveJob(job.status);
  const canCancel = active && hasHostPermission(me, 'jobs_run');
  const progress = feed.progress ?? job.progress;
  const summary = job.summary ?? job.result?.summary;
  const findings = job.result?.findings ?? [];
  // A forget held by a failed check waits for a passing check; approving it is not a way out.
  const approvable = job.status === 'blocked' && job.kind === 'forget' && (job.error_class ?? job.result?.error_class) !== 'check.failed';

  return (
    <Stack gap="md">
      <JobHeader job={job} canCancel={canCancel} />
      <JobOutcomeAlert job={job} />
      {findings.length > 0 ? (
        <Card withBorder radius="md" padding="lg" data-testid="job-findings">
          <Stack gap="xs">
            <Title order={3} fz="h4">
              Preflight findings
            </Title>
            <Text size="sm" c="dimmed">
              What the agent found before it ran the backup: warnings it ran with, or what stopped it.
            </Text>
            <FindingsList findings={findings} />
          </Stack>
        </Card>
      ) : null}
      {approvable && hasPermission(me, 'repos_manage') ? <ApproveJobButton job={job} /> : null}
      {job.result?.forget ? <ForgetReportTable report={job.result.forget} /> : null}
      <CopyReportCard
        report={job.result?.copy}
        source={job.copy ? { id: job.copy.from_repository_id, name: copySourceName, host: job.copy.host, tags: job.copy.tags } : undefined}
      />
      {job.kind === 'backup' && active ? <JobProgressCard progress={progress} running={job.status === 'running'} /> : null}
      {summary ? <JobSummaryStats summary={summary} /> : null}
      {job.kind === 'backup' && summary?.snapshot_id ? (
        <Text size="sm">
          <Anchor component={Link} to={paths.snapshotDiff(job.host_id, summary.snapshot_id, { repositoryId: job.repository_id })} data-testid="job-diff-link">
            What changed in this backup
          </Anchor>
        </Text>
      ) : null}
      {job.result?.restore ? <RestoreReportCard report={job.result.restore} /> : null}
      {job.result?.drill ? <DrillReportCard report={job.result.drill} /> : null}
      <Card withBorder radius="md" padding="lg">
        <Stack gap="xs">
          <Title order={3} fz="h4">
            Log
          </Title>
          <ConnectionNote connection={feed.connection} />
          <LogViewer
            lines={feed.lines}
            live={feed.connection !== 'ended'}
            emptyText={feed.connection === 'connecting' ? 'Loading the log…' : emptyLogText(job)}
            fileName={`cairn-job-${job.id}.log`}
          />
        </Stack>
      </Card>
      <JobFacts job={job} />
      <RawResult job={job} />
    </Stack>
  );
}

export function JobDetailPage() {
  const { id = '' } = useParams();
  const job = useJob(id);
  if (job.data) return <JobView key={id} job={job.data} />;
  if (job.isError) {
    return (
      <DetailLoadError
        error={job.error}
        what="Job"
        icon={<IconClipboardOff size={28} />}
        description="It may belong to a host that was deleted. The jobs list shows every job Cairn has run."
        backTo={paths.jobs()}
        backLabel="Back to jobs"
      />
    );
  }
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading job">
      <Skeleton height={16} width={160} />
      <Skeleton height={36} width={360} />
      <Skeleton height={120} />
      <Skeleton height={360} />
    </Stack>
  );
}

// The job history table; each row links to the job's page. On a phone the host, times and
// result fold under the job's name.
import { Anchor, Code, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Job } from '@/api/types';
import { DataTable, type Column } from '@/components/DataTable';
import { JobStatusBadge } from '@/components/JobStatusBadge';
import { RelativeTime } from '@/components/RelativeTime';
import { JOB_KIND_LABEL, isActiveJob, jobActor } from '@/lib/jobs';
import { paths } from '@/lib/paths';
import { formatBytes, formatCount, formatDuration, percent, secondsBetween } from '@/lib/units';

const columns: Column[] = [
  { key: 'status', label: 'Status', w: 120 },
  { key: 'job', label: 'Job' },
  { key: 'host', label: 'Host', visibleFrom: 'sm' },
  { key: 'repo', label: 'Repository', visibleFrom: 'md' },
  { key: 'actor', label: 'Started by', visibleFrom: 'md' },
  { key: 'started', label: 'Started', visibleFrom: 'sm', nowrap: true },
  { key: 'duration', label: 'Duration', visibleFrom: 'sm', nowrap: true },
  { key: 'result', label: 'Result', visibleFrom: 'sm' },
];

/** One line on what a job did or is doing. */
export function resultLine(job: Job): { text: string; tone: 'dimmed' | 'red' | 'normal' } {
  if (isActiveJob(job.status)) {
    if (job.status === 'running' && job.progress) return { text: `${percent(job.progress.fraction)} % done`, tone: 'dimmed' };
    if (job.waiting_for) return { text: `queued: waiting for job ${job.waiting_for.slice(0, 8)} on this repository`, tone: 'dimmed' };
    return { text: job.status === 'queued' ? 'waiting for the agent' : 'starting', tone: 'dimmed' };
  }
  const s = job.summary;
  if (s) {
    return {
      text: `${formatCount(s.files_new)} new, ${formatCount(s.files_changed)} changed · ${formatBytes(s.data_added)} added`,
      tone: 'normal',
    };
  }
  if (job.error_class) return { text: job.error_class, tone: 'red' };
  return { text: '—', tone: 'dimmed' };
}

function durationOf(job: Job): string {
  const seconds = secondsBetween(job.started_at, job.finished_at);
  if (seconds === null) return '—';
  return job.finished_at ? formatDuration(seconds) : `${formatDuration(seconds)}…`;
}

export function JobsTable({ jobs }: { jobs: Job[] }) {
  return (
    <DataTable columns={columns} minWidth={980} testId="jobs-table">
      {jobs.map((job) => {
        const result = resultLine(job);
        return (
          <Table.Tr key={job.id} data-testid="job-row" data-job-id={job.id} data-status={job.status}>
            <Table.Td>
              <JobStatusBadge status={job.status} />
            </Table.Td>
            <Table.Td>
              <Anchor component={Link} to={paths.job(job.id)} fw={600} size="sm">
                {JOB_KIND_LABEL[job.kind]}
              </Anchor>
              <Text size="xs" c="dimmed" ff="monospace">
                {job.id.slice(0, 8)}
              </Text>
              <Text size="xs" c="dimmed" hiddenFrom="sm">
                {job.hostname ?? 'deleted host'} · <RelativeTime value={job.started_at ?? job.created_at} />
              </Text>
              <Text size="xs" c={result.tone === 'red' ? 'red' : 'dimmed'} hiddenFrom="sm">
                {result.text}
              </Text>
            </Table.Td>
            <Table.Td visibleFrom="sm">
              {job.hostname ? (
                <Anchor component={Link} to={paths.host(job.host_id)} size="sm" ff="monospace">
                  {job.hostname}
                </Anchor>
              ) : (
                <Text size="sm" c="dimmed">
                  deleted host
                </Text>
              )}
            </Table.Td>
            <Table.Td visibleFrom="md">
              <Text size="sm">{job.repository_name ?? '—'}</Text>
            </Table.Td>
            <Table.Td visibleFrom="md">
              <Text size="sm">{jobActor(job)}</Text>
            </Table.Td>
            <Table.Td visibleFrom="sm" style={{ whiteSpace: 'nowrap' }}>
              <RelativeTime value={job.started_at ?? job.created_at} />
            </Table.Td>
            <Table.Td visibleFrom="sm" style={{ whiteSpace: 'nowrap' }}>
              <Text size="sm">{durationOf(job)}</Text>
            </Table.Td>
            <Table.Td visibleFrom="sm" data-testid="job-result">
              {result.tone === 'red' ? (
                <Code c="red">{result.text}</Code>
              ) : (
                <Text size="sm" c={result.tone === 'dimmed' ? 'dimmed' : undefined}>
                  {result.text}
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        );
      })}
    </DataTable>
  );
}

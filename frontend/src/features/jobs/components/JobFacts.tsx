// Who ran the job, where, when and what it was asked to do: for a backup, the paths, excludes
// and tags, and the equivalent restic command line (never with a secret: there is none in a job).
import { Anchor, Badge, Card, DataList, Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { BackupSpec, Job } from '@/api/types';
import { CommandBlock } from '@/components/CommandBlock';
import { RelativeTime } from '@/components/RelativeTime';
import { formatDateTime } from '@/lib/format';
import { JOB_KIND_LABEL, jobActor } from '@/lib/jobs';
import { paths } from '@/lib/paths';
import { shellQuote } from '@/lib/shell';
import { formatDuration, secondsBetween } from '@/lib/units';

export function backupCommand(spec: BackupSpec): string {
  const args = ['restic', 'backup'];
  for (const tag of spec.tags) args.push('--tag', shellQuote(tag));
  for (const exclude of spec.excludes) args.push('--exclude', shellQuote(exclude));
  // Absent when empty: the server leaves the default out.
  for (const option of spec.extra_options ?? []) args.push(shellQuote(option));
  args.push(...spec.paths.map(shellQuote));
  return args.join(' ');
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

function Words({ items, empty, testId }: { items: string[]; empty: string; testId: string }) {
  if (items.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid={testId}>
        {empty}
      </Text>
    );
  }
  return (
    <Stack gap={2} data-testid={testId}>
      {items.map((item) => (
        <Text key={item} size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {item}
        </Text>
      ))}
    </Stack>
  );
}

export function JobFacts({ job }: { job: Job }) {
  const duration = secondsBetween(job.started_at, job.finished_at);
  const spec = job.backup;
  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="sm">
        <Title order={3} fz="h4">
          Details
        </Title>
        <DataList labelWidth={130} data-testid="job-facts">
          <Fact label="Kind">{JOB_KIND_LABEL[job.kind]}</Fact>
          <Fact label="Host">
            {job.hostname ? (
              <Anchor component={Link} to={paths.host(job.host_id)} size="sm" ff="monospace">
                {job.hostname}
              </Anchor>
            ) : (
              <Text size="sm" c="dimmed">
                deleted host
              </Text>
            )}
          </Fact>
          <Fact label="Repository">{job.repository_name ?? '—'}</Fact>
          <Fact label="Started by">
            <Group gap={6}>
              <Text size="sm">{jobActor(job)}</Text>
              {job.actor_kind !== 'user' ? (
                <Badge size="xs" variant="light" color="gray">
                  {job.actor_kind}
                </Badge>
              ) : null}
            </Group>
          </Fact>
          <Fact label="Created">
            <Text size="sm">{formatDateTime(job.created_at, true)}</Text>
          </Fact>
          <Fact label="Started">
            {job.started_at ? <Text size="sm">{formatDateTime(job.started_at, true)}</Text> : <Text size="sm" c="dimmed">not yet</Text>}
          </Fact>
          <Fact label="Finished">
            {job.finished_at ? <RelativeTime value={job.finished_at} /> : <Text size="sm" c="dimmed">—</Text>}
          </Fact>
          <Fact label="Duration">
            <Text size="sm" data-testid="job-duration">
              {duration === null ? '—' : `${formatDuration(duration)}${job.finished_at ? '' : ' so far'}`}
            </Text>
          </Fact>
          {job.exit_code !== undefined ? <Fact label="Exit code">{job.exit_code}</Fact> : null}
        </DataList>
        {spec ? (
          <>
            <DataList labelWidth={130} data-testid="job-backup-spec">
              <Fact label="Paths">
                <Words items={spec.paths} empty="—" testId="spec-paths" />
              </Fact>
              <Fact label="Excludes">
                <Words items={spec.excludes} empty="none" testId="spec-excludes" />
              </Fact>
              {spec.extra_options?.length ? (
                <Fact label="Extra options">
                  <Words items={spec.extra_options} empty="none" testId="spec-extra-options" />
                </Fact>
              ) : null}
              <Fact label="Tags">
                {spec.tags.length ? (
                  <Group gap={4} data-testid="spec-tags">
                    {spec.tags.map((t) => (
                      <Badge key={t} variant="outline" size="sm" tt="none">
                        {t}
                      </Badge>
                    ))}
                  </Group>
                ) : (
                  <Text size="sm" c="dimmed">
                    none
                  </Text>
                )}
              </Fact>
            </DataList>
            <div>
              <Text size="xs" c="dimmed" mb={4}>
                The agent runs (repository and password come from its encrypted config):
              </Text>
              <CommandBlock command={backupCommand(spec)} label="command" testId="job-command" />
            </div>
          </>
        ) : null}
      </Stack>
    </Card>
  );
}

// /repositories/:id: one repository's care. Its URL and linked hosts, the latest stats (restore
// size, stored size, dedup ratio, snapshots), its last check's verdict (`last_check`: a check that
// found errors holds forget and prune, said at the top) and prune, the delete guard (admins
// edit it), its copies to and from a mirror (3-2-1) with how far each mirror is behind, its
// recent maintenance jobs (with what a queued one waits for), and the operations (forget, prune,
// check, unlock, stats, copy to mirror) for repos_maintain, each a small form run by a linked host.
import {
  Alert,
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Card,
  Group,
  Modal,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconAlertOctagon, IconChartBar, IconDatabaseOff, IconInfoCircle, IconTool } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import type { Job, LastCheck, Repository } from '@/api/types';
import { PHONE_QUERY } from '@/components/DataTable';
import { DetailLoadError } from '@/components/DetailLoadError';
import { ErrorAlert } from '@/components/ErrorAlert';
import { JobStatusBadge } from '@/components/JobStatusBadge';
import { RelativeTime } from '@/components/RelativeTime';
import { hasPermission, useSession } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { JOB_KIND_LABEL } from '@/lib/jobs';
import { paths } from '@/lib/paths';
import { formatBytes, formatCount } from '@/lib/units';
import { useLatestStats, useLinkedHosts, useMaintenance, useRepository } from '../api';
import { CopiesSection } from '../components/CopiesSection';
import { CopyForm } from '../components/CopyForm';
import { CheckScheduleSection } from '../components/CheckScheduleSection';
import { LocksSection } from '../components/LocksSection';
import { GuardSection } from '../components/GuardSection';
import { KeyRotationSection } from '../components/KeyRotationSection';
import { OPERATION_LABEL, OperationForm } from '../components/OperationForm';
import { OPERATIONS, type Operation } from '../jobForm';

function Section({ title, description, children, testId }: { title: string; description?: string; children: ReactNode; testId?: string }) {
  return (
    <Card withBorder radius="md" padding="lg" data-testid={testId}>
      <Stack gap="sm">
        <div>
          <Title order={3} fz="h4">
            {title}
          </Title>
          {description ? (
            <Text size="sm" c="dimmed">
              {description}
            </Text>
          ) : null}
        </div>
        {children}
      </Stack>
    </Card>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" lts={0.3}>
        {label}
      </Text>
      <Text size="lg" fw={650} data-testid={testId}>
        {value}
      </Text>
    </Stack>
  );
}

/** The newest run of one kind: its state (linked to the job) and when; "never" with what to do. */
function LastRun({ label, job, testId }: { label: string; job: Job | undefined; testId: string }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap" data-testid={testId} data-status={job?.status ?? 'none'}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      {job ? (
        <Anchor component={Link} to={paths.job(job.id)} underline="never">
          <Group gap={6} wrap="nowrap">
            <JobStatusBadge status={job.status} size="sm" />
            <RelativeTime value={job.finished_at ?? job.created_at} />
          </Group>
        </Anchor>
      ) : (
        <Text size="sm" c="dimmed">
          never
        </Text>
      )}
    </Group>
  );
}

/**
 * "Last check": the newest check's verdict (passed, or found errors) linked to its job; before
 * any verdict, the newest check job as it stands (running, or one that could not reach it).
 */
function LastCheckRow({ verdict, job }: { verdict: LastCheck | undefined; job: Job | undefined }) {
  if (!verdict) return <LastRun label="Last check" job={job} testId="last-check" />;
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap" data-testid="last-check" data-verdict={verdict.passed ? 'passed' : 'errors'}>
      <Text size="sm" c="dimmed">
        Last check
      </Text>
      <Anchor component={Link} to={paths.job(verdict.job_id)} underline="never" data-testid="last-check-link">
        <Group gap={6} wrap="nowrap">
          <Badge color={verdict.passed ? 'teal' : 'red'} variant="light" size="sm" tt="none">
            {verdict.passed ? 'Passed' : 'Found errors'}
          </Badge>
          <RelativeTime value={verdict.finished_at} />
        </Group>
      </Anchor>
    </Group>
  );
}

/** A check found errors and none has passed since: forget and prune are held (`check.failed`). */
function FailedCheckAlert({ verdict }: { verdict: LastCheck }) {
  return (
    <Alert color="red" variant="light" role="alert" icon={<IconAlertOctagon size={18} />} title="The last check found errors" data-testid="check-failed-alert">
      <Text size="sm">
        The check on {formatDateTime(verdict.finished_at)} found errors. Forget and prune are on hold until a check passes.{' '}
        <Anchor component={Link} to={paths.job(verdict.job_id)} size="sm">
          Open the check
        </Anchor>
      </Text>
    </Alert>
  );
}

function StatsSection({ repository, latest }: { repository: Repository; latest: Partial<Record<string, Job>> | undefined }) {
  const stats = useLatestStats(repository.id);
  const job = stats.data ?? undefined;
  const figures = job?.result?.stats;
  return (
    <Section title="Health and size" testId="repository-stats">
      <ErrorAlert error={stats.error} title="Could not load the stats" />
      {stats.isPending ? <Skeleton height={60} /> : null}
      {figures ? (
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
          <Figure label="Restore size" value={formatBytes(figures.restore_size)} testId="stats-restore-size" />
          <Figure label="Stored" value={formatBytes(figures.raw_size)} testId="stats-raw-size" />
          <Figure label="Dedup ratio" value={`${figures.dedup_ratio.toFixed(2)}×`} testId="stats-dedup" />
          <Figure label="Snapshots" value={formatCount(figures.snapshots)} testId="stats-snapshots" />
        </SimpleGrid>
      ) : null}
      {stats.data === null ? (
        <Text size="sm" c="dimmed" data-testid="stats-empty">
          No stats yet. Run Stats below to measure what the repository stores and how much deduplication saves.
        </Text>
      ) : null}
      {job && !figures ? (
        <Text size="sm" c="dimmed" data-testid="stats-no-figures">
          The newest stats run has no figures ({job.status}).{' '}
          <Anchor component={Link} to={paths.job(job.id)} size="sm">
            Open it
          </Anchor>
        </Text>
      ) : null}
      <Stack gap={6}>
        <LastRun label="Stats measured" job={job} testId="last-stats" />
        <LastCheckRow verdict={repository.last_check} job={latest?.check} />
        <LastRun label="Last prune" job={latest?.prune} testId="last-prune" />
      </Stack>
    </Section>
  );
}

function MaintenanceList({ jobs }: { jobs: Job[] }) {
  const phone = useMediaQuery(PHONE_QUERY) ?? false;
  if (jobs.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="maintenance-empty">
        No maintenance has run on this repository yet. Start one with the buttons above; a check now and then and a prune after
        forgets keep it healthy.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={phone ? 0 : 560}>
      <Table verticalSpacing="xs" data-testid="maintenance-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Operation</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th visibleFrom="sm">Host</Table.Th>
            <Table.Th>When</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((job) => (
            <Table.Tr key={job.id} data-testid="maintenance-row" data-kind={job.kind}>
              <Table.Td>
                <Anchor component={Link} to={paths.job(job.id)} size="sm">
                  {JOB_KIND_LABEL[job.kind]}
                </Anchor>
                {job.status === 'queued' && job.waiting_for ? (
                  <Text size="xs" c="dimmed" data-testid="maintenance-waiting">
                    queued: waiting for{' '}
                    <Anchor component={Link} to={paths.job(job.waiting_for)} size="xs" ff="monospace">
                      job {job.waiting_for.slice(0, 8)}
                    </Anchor>
                  </Text>
                ) : null}
              </Table.Td>
              {/* nowrap: at phone width the table would squeeze the badge into "SUCCEED…". */}
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <JobStatusBadge status={job.status} size="sm" style={{ flexShrink: 0, overflow: 'visible' }} />
              </Table.Td>
              <Table.Td visibleFrom="sm">
                <Text size="sm" ff="monospace">
                  {job.hostname ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <RelativeTime value={job.created_at} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function RepositoryView({ repository }: { repository: Repository }) {
  const me = useSession();
  const canMaintain = hasPermission(me, 'repos_maintain');
  const isAdmin = hasPermission(me, 'repos_manage');
  const linked = useLinkedHosts(repository.id);
  const maintenance = useMaintenance(repository.id);
  const phone = useMediaQuery(PHONE_QUERY) ?? false;
  const [operation, setOperation] = useState<Operation | null>(null);
  const [copying, setCopying] = useState(false);
  // Kept after closing, so the dialog's title does not change while it fades out.
  const [shown, setShown] = useState<Operation>('stats');
  const hosts = linked.data?.hosts ?? [];
  const open = (op: Operation) => {
    setShown(op);
    setOperation(op);
  };

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to={paths.repositories()} size="sm">
          Repositories
        </Anchor>
        <Text size="sm">{repository.name}</Text>
      </Breadcrumbs>
      <Stack gap={4}>
        <Title order={2} style={{ overflowWrap: 'anywhere' }}>
          {repository.name}
        </Title>
        <Text size="sm" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }} data-testid="repository-url">
          {repository.url}
        </Text>
      </Stack>

      {repository.last_check && !repository.last_check.passed ? <FailedCheckAlert verdict={repository.last_check} /> : null}

      {canMaintain ? (
        <Section title="Operations" description="Each runs as a job through a linked, online host’s agent." testId="repository-operations">
          {linked.data && hosts.length === 0 ? (
            <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} data-testid="operations-no-host">
              <Text size="sm">
                Operations run through a linked host. Link {repository.name} to a host in its Repositories section under{' '}
                <Anchor component={Link} to={paths.hosts()} size="sm">
                  Hosts
                </Anchor>
                .
              </Text>
            </Alert>
          ) : null}
          <Group gap="xs">
            {OPERATIONS.map((op) => (
              <Button key={op} variant="default" size="sm" disabled={hosts.length === 0} onClick={() => open(op)} leftSection={op === 'stats' ? <IconChartBar size={16} /> : <IconTool size={16} />}>
                {OPERATION_LABEL[op]}…
              </Button>
            ))}
          </Group>
        </Section>
      ) : null}

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" style={{ alignItems: 'start' }}>
        {/* Health and the check schedule on the left, so the two columns stay about as tall. */}
        <Stack gap="md">
          <StatsSection repository={repository} latest={maintenance.data?.latest} />
          <CheckScheduleSection repository={repository} hosts={hosts} canEdit={isAdmin} />
        </Stack>
        <Stack gap="md">
          <Section title="Linked hosts" description="They back up here and may run its operations." testId="repository-hosts">
            <ErrorAlert error={linked.error} title="Could not load the hosts" />
            {linked.isPending ? <Skeleton height={40} /> : null}
            {linked.data && hosts.length === 0 ? (
              <Text size="sm" c="dimmed" data-testid="hosts-empty">
                No host is linked yet. Open a host under Hosts and add {repository.name} in its Repositories section.
              </Text>
            ) : null}
            <Group gap="xs">
              {hosts.map((h) => (
                <Badge
                  key={h.id}
                  component={Link}
                  to={paths.host(h.id)}
                  variant="dot"
                  color={h.status === 'online' ? 'green' : 'gray'}
                  tt="none"
                  size="lg"
                  style={{ cursor: 'pointer' }}
                  data-testid="linked-host"
                >
                  {h.hostname}
                </Badge>
              ))}
            </Group>
          </Section>
          <Section title="Delete guard" testId="repository-guard">
            <GuardSection key={JSON.stringify(repository.guard)} repository={repository} canEdit={isAdmin} />
          </Section>
          <Section title="Key rotation" testId="repository-key-rotation">
            <KeyRotationSection repository={repository} hosts={hosts} canRotate={isAdmin} />
          </Section>
        </Stack>
      </SimpleGrid>

      <CopiesSection
        repositoryId={repository.id}
        canCopy={canMaintain}
        disabledReason={hosts.length > 0 ? undefined : linked.data ? `A copy runs through a host linked to ${repository.name}: link one first.` : ''}
        onCopy={() => setCopying(true)}
      />

      {canMaintain ? <LocksSection repository={repository} hosts={hosts} onUnlock={() => open('unlock')} /> : null}

      <Section title="Recent maintenance" description="The newest forget, prune, check, unlock, stats and key rotation runs." testId="repository-maintenance">
        <ErrorAlert error={maintenance.error} title="Could not load the jobs" />
        {maintenance.isPending ? <Skeleton height={80} /> : null}
        {maintenance.data ? <MaintenanceList jobs={maintenance.data.recent} /> : null}
      </Section>

      <Modal opened={operation !== null} onClose={() => setOperation(null)} title={`${OPERATION_LABEL[shown]}: ${repository.name}`} size="lg" fullScreen={phone}>
        {operation ? <OperationForm kind={operation} repository={repository} hosts={hosts} isAdmin={isAdmin} onCancel={() => setOperation(null)} /> : null}
      </Modal>
      <Modal opened={copying} onClose={() => setCopying(false)} title={`Copy to mirror: ${repository.name}`} size="lg" fullScreen={phone}>
        {copying ? <CopyForm repository={repository} hosts={hosts} onCancel={() => setCopying(false)} /> : null}
      </Modal>
    </Stack>
  );
}

export function RepositoryDetailPage() {
  const { id = '' } = useParams();
  const repo = useRepository(id);
  if (repo.data) return <RepositoryView repository={repo.data} />;
  if (repo.isError) {
    return (
      <DetailLoadError
        error={repo.error}
        what="Repository"
        icon={<IconDatabaseOff size={28} />}
        description="It may have been deleted. The repositories list shows every repository Cairn knows."
        backTo={paths.repositories()}
        backLabel="Back to repositories"
      />
    );
  }
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading repository">
      <Skeleton height={16} width={120} />
      <Skeleton height={36} width={280} />
      <Skeleton height={200} />
    </Stack>
  );
}

// /hosts/:id: what Cairn knows about one host (refreshed every few seconds; its schedules' next
// and last run and its last restore drill in the header), its unresolved alerts and notification mute, its tags and
// repositories (each with an access test), its restore drill schedule, a connection test, its recent jobs, a backup, and
// deletion, on the Overview tab; its schedules on the Schedules tab (`?tab=schedules`). Its
// snapshots and its schedules come from their own features, which the app puts in the
// `snapshots` and `schedules` slots (features do not import each other).
import {
  Alert,
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Card,
  DataList,
  Group,
  Modal,
  SimpleGrid,
  Skeleton,
  Stack,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import {
  IconCalendarTime,
  IconCircleCheck,
  IconClockHour4,
  IconLayoutDashboard,
  IconPlayerPlay,
  IconPlugConnected,
  IconServerOff,
  IconTrash,
} from '@tabler/icons-react';
import { useState, type ComponentType, type ReactNode } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { Host, Repository } from '@/api/types';
import { DetailLoadError } from '@/components/DetailLoadError';
import { ErrorAlert } from '@/components/ErrorAlert';
import { RelativeTime } from '@/components/RelativeTime';
import { formatDateTime } from '@/lib/format';
import { canOnHost, hasPermission, useSession } from '@/lib/auth';
import { notifySuccess } from '@/lib/notify';
import { paths, type HostTab } from '@/lib/paths';
import { useFleetTags, useForgetHost, useHost, usePingHost, useRepositoryChoices } from '../api';
import { DeleteHostForm } from '../components/DeleteHostForm';
import { DrillScheduleCard } from '../components/DrillSchedule';
import { HostAlerts } from '../components/HostAlerts';
import { Fingerprint } from '../components/Fingerprint';
import { HostRepositoriesEditor, HostTagsEditor } from '../components/HostEditors';
import { LastScheduledRun, NextRun } from '../components/HostRuns';
import { AgentVersion, ResticVersion } from '../components/HostVersions';
import { RecentJobs } from '../components/RecentJobs';
import { RepositoryProbes } from '../components/RepositoryProbes';
import { LastDrill, RestoreDrillButton } from '../components/RestoreDrill';
import { RunBackupModal } from '../components/RunBackupModal';
import { StatusDot } from '../components/StatusDot';

/** What the host page hands to the panel in its snapshots slot. */
export interface HostSnapshotsProps {
  host: Host;
  /** Every repository (for names); the host's own are `host.repository_ids`. */
  repositories: Repository[];
  /** May the signed-in user start backups (backups_run, on some hosts at least)? */
  canRun: boolean;
  /** May they ask the agent for a fresh snapshot list (jobs_run)? */
  canRefresh: boolean;
  /** Opens this page's "Run backup now" dialog. */
  onRunBackup: () => void;
}

/** What the host page hands to the panel in its schedules slot (the panel reads the user's permissions itself). */
export interface HostSchedulesProps {
  host: Host;
  /** Every repository (for names); the host's own are `host.repository_ids`. */
  repositories: Repository[];
}

export interface HostDetailPageProps {
  /** The host's snapshots panel, shown under the facts; none when left out. */
  snapshots?: ComponentType<HostSnapshotsProps>;
  /** The host's schedules panel, on its own tab; no tabs when left out. */
  schedules?: ComponentType<HostSchedulesProps>;
}

/** The tab the URL asks for (`?tab=`), the overview for anything else or a tab without its panel. */
function useHostTab(hasSchedules: boolean): [HostTab, (tab: HostTab) => void] {
  const [params, setParams] = useSearchParams();
  const tab: HostTab = hasSchedules && params.get('tab') === 'schedules' ? 'schedules' : 'overview';
  const setTab = (next: HostTab) =>
    setParams((prev) => {
      const p = new URLSearchParams(prev);
      if (next === 'overview') p.delete('tab');
      else p.set('tab', next);
      return p;
    });
  return [tab, setTab];
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

export function ConfigSync({ host }: { host: Pick<Host, 'config_version' | 'applied_config_version'> }) {
  if (host.applied_config_version >= host.config_version) {
    return (
      <Group gap={6} wrap="nowrap" data-testid="config-sync" data-in-sync="true">
        <IconCircleCheck size={16} color="var(--mantine-color-teal-6)" />
        <Text size="sm">in sync (config v{host.config_version})</Text>
      </Group>
    );
  }
  return (
    <Group gap={6} wrap="nowrap" data-testid="config-sync" data-in-sync="false">
      <IconClockHour4 size={16} color="var(--mantine-color-yellow-7)" />
      <Text size="sm">
        waiting for the agent to apply config v{host.config_version}{' '}
        <Text span c="dimmed" size="sm">
          (has v{host.applied_config_version})
        </Text>
      </Text>
    </Group>
  );
}

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <Card withBorder radius="md" padding="lg">
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

function PingButton({ host }: { host: Host }) {
  const ping = usePingHost();
  return (
    <Stack gap="xs">
      <Group>
        <Button
          variant="default"
          leftSection={<IconPlugConnected size={16} />}
          loading={ping.isPending}
          onClick={() => ping.mutate(host.id)}
        >
          Test connection
        </Button>
      </Group>
      {ping.isSuccess ? (
        <Alert color="teal" variant="light" data-testid="ping-sent" p="xs">
          <Text size="sm">Sent; the agent picks it up on its next poll.</Text>
        </Alert>
      ) : null}
      <ErrorAlert error={ping.error} title="Could not send the test" />
    </Stack>
  );
}

function HostDetail({ host, snapshots: Snapshots, schedules: Schedules }: { host: Host } & HostDetailPageProps) {
  const me = useSession();
  const navigate = useNavigate();
  // Host-level actions by what the caller may do on this host (their role over all hosts
  // and the host roles whose tags it carries); linking repositories, probing them and
  // deleting the host need the permission over all hosts.
  const canManageHost = canOnHost(host, 'hosts_manage');
  const canLinkRepositories = hasPermission(me, 'hosts_manage');
  const canDelete = hasPermission(me, 'hosts_delete');
  const repos = useRepositoryChoices();
  const fleetTags = useFleetTags();
  const [deleting, setDeleting] = useState(false);
  const forgetHost = useForgetHost();
  const canBackup = canOnHost(host, 'backups_run');
  const canRefresh = canOnHost(host, 'jobs_run');
  const canDrill = canOnHost(host, 'restores_run');
  const canSchedule = canOnHost(host, 'schedules_manage');
  const canReadAlerts = canOnHost(host, 'alerts_read');
  const canManageAlerts = canOnHost(host, 'alerts_manage');
  const [runBackup, setRunBackup] = useState(false);
  const [tab, setTab] = useHostTab(Schedules !== undefined);

  const overview = (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" style={{ alignItems: 'start' }}>
        <Section title="Facts">
          <DataList labelWidth={150} data-testid="host-facts">
            <Fact label="Status">
              <StatusDot status={host.status} withLabel />
            </Fact>
            <Fact label="Operating system">{host.os || '—'}</Fact>
            <Fact label="Architecture">{host.arch || '—'}</Fact>
            <Fact label="Agent">
              <AgentVersion host={host} />
            </Fact>
            <Fact label="restic">
              <ResticVersion version={host.restic_version} />
            </Fact>
            <Fact label="Key fingerprint">
              <Fingerprint value={host.fingerprint} />
            </Fact>
            <Fact label="Enrolled via">{host.enrolled_via === 'announce' ? 'Announce and approve' : 'Enrollment token'}</Fact>
            <Fact label="Enrolled">{formatDateTime(host.created_at)}</Fact>
            <Fact label="Last seen">
              <RelativeTime value={host.last_seen_at} />
            </Fact>
            <Fact label="Last IP">{host.last_ip ? <Text ff="monospace" size="sm">{host.last_ip}</Text> : '—'}</Fact>
            <Fact label="Configuration">
              <ConfigSync host={host} />
            </Fact>
          </DataList>
        </Section>

        <Stack gap="md">
          {canReadAlerts ? <HostAlerts host={host} canManage={canManageAlerts} /> : null}
          <Section title="Tags" description="Group and filter hosts.">
            <HostTagsEditor key={host.tags.join('\n')} host={host} canManage={canManageHost} tagOptions={fleetTags.data ?? []} />
          </Section>
          <Section title="Repositories" description="Where this host may back up; the agent gets their credentials.">
            <ErrorAlert error={repos.error} title="Could not load repositories" />
            <HostRepositoriesEditor
              key={host.repository_ids.join(',')}
              host={host}
              repositories={repos.data?.items ?? []}
              canManage={canLinkRepositories}
              loading={repos.isPending}
            />
            {canLinkRepositories ? <RepositoryProbes host={host} repositories={repos.data?.items ?? []} /> : null}
          </Section>
          <DrillScheduleCard host={host} repositories={repos.data?.items ?? []} canEdit={canSchedule} />
          {canManageHost ? (
            <Section title="Connection" description="Send a test command to the agent; it receives it at its next poll.">
              <PingButton host={host} />
            </Section>
          ) : null}
          <RecentJobs host={host} />
        </Stack>
      </SimpleGrid>

      {Snapshots ? (
        <Snapshots host={host} repositories={repos.data?.items ?? []} canRun={canBackup} canRefresh={canRefresh} onRunBackup={() => setRunBackup(true)} />
      ) : null}
    </Stack>
  );

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to={paths.hosts()} size="sm">
          Hosts
        </Anchor>
        <Text size="sm">{host.hostname}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end" gap="sm">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={2} ff="monospace" style={{ wordBreak: 'break-all' }}>
              {host.hostname}
            </Title>
            <Badge
              variant="dot"
              color={host.status === 'online' ? 'green' : 'gray'}
              size="lg"
              data-testid="host-status"
              data-status={host.status}
            >
              {host.status === 'online' ? 'Online' : 'Offline'}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed">
            Last seen <RelativeTime value={host.last_seen_at} />
            {host.last_ip ? ` from ${host.last_ip}` : ''}
          </Text>
          <Group gap="lg" wrap="wrap" data-testid="host-runs" style={{ rowGap: 2 }}>
            <Group gap={6} wrap="nowrap">
              <Text size="sm" c="dimmed">
                Next run
              </Text>
              <NextRun host={host} />
            </Group>
            <Group gap={6} wrap="nowrap">
              <Text size="sm" c="dimmed">
                Last scheduled run
              </Text>
              <LastScheduledRun host={host} />
            </Group>
            <LastDrill hostId={host.id} />
          </Group>
        </Stack>
        <Group gap="xs">
          {canBackup ? (
            <Button leftSection={<IconPlayerPlay size={16} />} onClick={() => setRunBackup(true)}>
              Run backup now
            </Button>
          ) : null}
          {canDrill ? <RestoreDrillButton host={host} repositories={repos.data?.items ?? []} /> : null}
          {canDelete ? (
            <Button variant="default" color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)}>
              Delete host
            </Button>
          ) : null}
        </Group>
      </Group>

      {Schedules ? (
        <Tabs value={tab} onChange={(value) => setTab(value === 'schedules' ? 'schedules' : 'overview')} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="overview" leftSection={<IconLayoutDashboard size={16} />}>
              Overview
            </Tabs.Tab>
            <Tabs.Tab value="schedules" leftSection={<IconCalendarTime size={16} />}>
              Schedules
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="overview" pt="md">
            {overview}
          </Tabs.Panel>
          <Tabs.Panel value="schedules" pt="md">
            <Schedules host={host} repositories={repos.data?.items ?? []} />
          </Tabs.Panel>
        </Tabs>
      ) : (
        overview
      )}
      <RunBackupModal opened={runBackup} onClose={() => setRunBackup(false)} host={host} repositories={repos.data?.items ?? []} />

      <Modal opened={deleting} onClose={() => setDeleting(false)} title={`Delete ${host.hostname}?`}>
        {deleting ? (
          <DeleteHostForm
            host={host}
            onCancel={() => setDeleting(false)}
            onDone={() => {
              notifySuccess(`${host.hostname} was deleted; its agent can no longer connect.`);
              void Promise.resolve(navigate(paths.hosts(), { replace: true })).then(() => forgetHost(host.id));
            }}
          />
        ) : null}
      </Modal>
    </Stack>
  );
}

export function HostDetailPage({ snapshots, schedules }: HostDetailPageProps) {
  const { id = '' } = useParams();
  const host = useHost(id);
  if (host.data) return <HostDetail host={host.data} snapshots={snapshots} schedules={schedules} />;
  if (host.isError) {
    return (
      <DetailLoadError
        error={host.error}
        what="Host"
        icon={<IconServerOff size={28} />}
        description="It may have been deleted. The hosts list shows every host Cairn knows."
        backTo={paths.hosts()}
        backLabel="Back to hosts"
      />
    );
  }
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading host">
      <Skeleton height={16} width={120} />
      <Skeleton height={36} width={280} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Skeleton height={360} />
        <Skeleton height={360} />
      </SimpleGrid>
    </Stack>
  );
}

// /alerts/:id: one alert: what it is about (host, repository, the job that raised it), its latest
// message, its details, its life as a timeline (who did what; "Cairn" when the server did it) and,
// for operators and admins, the actions, and the notifications sent about it. Refreshed every 15 s.
import { Anchor, Breadcrumbs, Card, DataList, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconBellX } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import type { Alert, AlertDetail } from '@/api/types';
import { AlertSeverityBadge, AlertStateBadge } from '@/components/AlertBadges';
import { DetailLoadError } from '@/components/DetailLoadError';
import { ErrorAlert } from '@/components/ErrorAlert';
import { RelativeTime } from '@/components/RelativeTime';
import { RULE_LABEL, alertActor, isQuiet } from '@/lib/alerts';
import { useHostPermission } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { formatCount } from '@/lib/units';
import { useAlert, useAlertDeliveries, useHostName, useRepositoryName } from '../api';
import { AlertActions } from '../components/AlertActions';
import { AlertEvents } from '../components/AlertEvents';
import { BaselineChart, baselineOf } from '../components/BaselineChart';
import { DeliveriesTable } from '../components/DeliveriesTable';
import { JsonDetails } from '../components/JsonDetails';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

/** An "unusual change" alert's baseline, drawn; nothing for other alerts. */
function Baseline({ details }: { details: unknown }) {
  const baseline = baselineOf(details);
  return baseline ? <BaselineChart baseline={baseline} /> : null;
}

function Subject({ alert }: { alert: Alert }) {
  const hostName = useHostName(alert.host_id);
  const repositoryName = useRepositoryName(alert.repository_id);
  return (
    <>
      {alert.host_id ? (
        <Fact label="Host">
          <Anchor component={Link} to={paths.host(alert.host_id)} size="sm" ff="monospace" data-testid="alert-host">
            {hostName ?? `host ${alert.host_id.slice(0, 8)}`}
          </Anchor>
        </Fact>
      ) : null}
      {alert.repository_id ? (
        <Fact label="Repository">
          <Anchor component={Link} to={paths.repository(alert.repository_id)} size="sm" data-testid="alert-repository">
            {repositoryName ?? `repository ${alert.repository_id.slice(0, 8)}`}
          </Anchor>
        </Fact>
      ) : null}
      {alert.job_id ? (
        <Fact label="Job">
          <Anchor component={Link} to={paths.job(alert.job_id)} size="sm" ff="monospace" data-testid="alert-job">
            {alert.job_id.slice(0, 8)}
          </Anchor>
        </Fact>
      ) : null}
    </>
  );
}

/** What went out about the alert over each channel (empty when no channel carries it). */
function Notifications({ alertId }: { alertId: string }) {
  const deliveries = useAlertDeliveries(alertId);
  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="sm" data-testid="alert-deliveries">
        <Title order={3} fz="h4">
          Notifications
        </Title>
        <ErrorAlert error={deliveries.error} title="Could not load the notifications" />
        {deliveries.isPending ? <Skeleton height={60} /> : null}
        {deliveries.data?.length === 0 ? (
          <Text size="sm" c="dimmed">
            No notification was sent about this alert: no enabled channel carries it (its severity, rule, host tag), or none is set up.
          </Text>
        ) : null}
        {deliveries.data && deliveries.data.length > 0 ? <DeliveriesTable deliveries={deliveries.data} show="channel" /> : null}
      </Stack>
    </Card>
  );
}

function AlertView({ detail }: { detail: AlertDetail }) {
  const { alert, events } = detail;
  const canManage = useHostPermission('alerts_manage');
  return (
    <Stack gap="md" data-testid="alert-detail" data-state={alert.state} data-severity={alert.severity}>
      <Breadcrumbs>
        <Anchor component={Link} to={paths.alerts()} size="sm">
          Alerts
        </Anchor>
        <Text size="sm" lineClamp={1}>
          {RULE_LABEL[alert.rule]}
        </Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end" gap="sm">
        <Stack gap={6} style={{ minWidth: 0 }}>
          <Group gap="sm" wrap="wrap">
            <AlertSeverityBadge severity={alert.severity} size="lg" />
            <AlertStateBadge state={alert.state} size="lg" />
          </Group>
          <Title order={2} style={{ overflowWrap: 'anywhere' }}>
            {alert.title}
          </Title>
          <Text size="sm" c="dimmed">
            {RULE_LABEL[alert.rule]} · seen {formatCount(alert.count)} {alert.count === 1 ? 'time' : 'times'} · opened{' '}
            <RelativeTime value={alert.opened_at} />
          </Text>
        </Stack>
        {canManage ? <AlertActions alert={alert} /> : null}
      </Group>

      <Card withBorder radius="md" padding="lg">
        <Stack gap="sm">
          <Text style={{ overflowWrap: 'anywhere' }} data-testid="alert-message">
            {alert.message}
          </Text>
          <DataList labelWidth={150} data-testid="alert-facts">
            <Subject alert={alert} />
            <Fact label="Opened">{formatDateTime(alert.opened_at)}</Fact>
            <Fact label="Last seen">
              <RelativeTime value={alert.last_seen_at} />
            </Fact>
            {alert.acknowledged_at ? (
              <Fact label="Acknowledged">
                {formatDateTime(alert.acknowledged_at)} by {alertActor(alert.acknowledged_by)}
              </Fact>
            ) : null}
            {alert.state !== 'resolved' && isQuiet(alert.snoozed_until) ? (
              <Fact label="Snoozed until">{formatDateTime(alert.snoozed_until)}</Fact>
            ) : null}
            {alert.resolved_at ? (
              <Fact label="Resolved">
                {formatDateTime(alert.resolved_at)} by {alert.resolved_by ?? 'Cairn (the problem went away)'}
              </Fact>
            ) : null}
          </DataList>
          <Baseline details={alert.details} />
          <JsonDetails value={alert.details} />
        </Stack>
      </Card>

      <Card withBorder radius="md" padding="lg">
        <Stack gap="sm">
          <Title order={3} fz="h4">
            History
          </Title>
          <AlertEvents events={events} />
        </Stack>
      </Card>

      <Notifications alertId={alert.id} />
    </Stack>
  );
}

export function AlertDetailPage() {
  const { id = '' } = useParams();
  const alert = useAlert(id);
  if (alert.data) return <AlertView detail={alert.data} />;
  if (alert.isError) {
    return (
      <DetailLoadError
        error={alert.error}
        what="Alert"
        icon={<IconBellX size={28} />}
        description="The link may be wrong. The alerts page lists every alert Cairn raised."
        backTo={paths.alerts()}
        backLabel="Back to alerts"
      />
    );
  }
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading alert">
      <Skeleton height={16} width={120} />
      <Skeleton height={36} width="60%" />
      <Skeleton height={200} />
    </Stack>
  );
}

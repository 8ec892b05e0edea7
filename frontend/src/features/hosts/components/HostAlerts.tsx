// The host page's "Alerts" card: the host's unresolved alerts (each opens its alert), a link to
// all of them on the alerts page, and, for operators and admins, muting its notifications.
import { Anchor, Button, Card, Group, Menu, NavLink, Stack, Text, Title } from '@mantine/core';
import { IconBellOff, IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { Alert, Host } from '@/api/types';
import { AlertSeverityBadge } from '@/components/AlertBadges';
import { ErrorAlert } from '@/components/ErrorAlert';
import { QUIET_PRESETS, RULE_LABEL, isQuiet, quietUntil } from '@/lib/alerts';
import { formatDateTime, formatRelative } from '@/lib/format';
import { notifyError, notifySuccess } from '@/lib/notify';
import { paths } from '@/lib/paths';
import { formatCount } from '@/lib/units';
import { HOST_ALERTS, useHostAlerts, useHostMute, useSetHostMute } from '../alerts-api';

/** Mute choices: the shared quiet presets without "4 hours" (an hour, a day or a week is what a host's maintenance takes). */
const MUTE_PRESETS = QUIET_PRESETS.filter((p) => p.key !== '4h');

function AlertLine({ alert }: { alert: Alert }) {
  const parts = [RULE_LABEL[alert.rule]];
  if (alert.count > 1) parts.push(`×${formatCount(alert.count)}`);
  parts.push(`last seen ${formatRelative(alert.last_seen_at)}`);
  if (alert.state === 'acknowledged') parts.push('acknowledged');
  return (
    <NavLink
      component={Link}
      to={paths.alert(alert.id)}
      data-testid="host-alert"
      data-state={alert.state}
      data-severity={alert.severity}
      leftSection={<AlertSeverityBadge severity={alert.severity} size="sm" />}
      label={alert.title}
      description={parts.join(' · ')}
      rightSection={<IconChevronRight size={14} />}
      style={{ borderRadius: 'var(--mantine-radius-sm)' }}
    />
  );
}

function MuteControl({ host, canManage }: { host: Host; canManage: boolean }) {
  const mute = useHostMute(host.id, true);
  const set = useSetHostMute(host.id);
  const until = mute.data?.until;
  const muted = isQuiet(until);
  const apply = (next: string | null) =>
    set.mutate(next, {
      onSuccess: (answer) =>
        notifySuccess(answer.until ? `${host.hostname}'s notifications are muted until ${formatDateTime(answer.until)}.` : `${host.hostname} is unmuted.`),
      onError: (error) => notifyError('Could not change the mute', error),
    });
  return (
    <Group gap="xs" justify="space-between" wrap="wrap" data-testid="host-mute" data-muted={muted ? 'true' : 'false'}>
      <Text size="sm" c="dimmed">
        {muted ? (
          <>
            <IconBellOff size={14} style={{ verticalAlign: 'middle' }} /> Muted until {formatDateTime(until)}
          </>
        ) : (
          'Notifications are on.'
        )}
      </Text>
      {canManage ? (
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Button variant="default" size="xs" rightSection={<IconChevronDown size={14} />} loading={set.isPending}>
              Mute notifications
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>Alerts are still raised and listed</Menu.Label>
            {MUTE_PRESETS.map((p) => (
              <Menu.Item key={p.key} onClick={() => apply(quietUntil(p.seconds))}>
                For {p.label}
              </Menu.Item>
            ))}
            {muted ? (
              <>
                <Menu.Divider />
                <Menu.Item onClick={() => apply(null)}>Unmute</Menu.Item>
              </>
            ) : null}
          </Menu.Dropdown>
        </Menu>
      ) : null}
    </Group>
  );
}

export function HostAlerts({ host, canManage }: { host: Host; canManage: boolean }) {
  const alerts = useHostAlerts(host.id, true);
  const items = alerts.data?.items ?? [];
  return (
    <Card withBorder radius="md" padding="lg" data-testid="host-alerts">
      <Stack gap="xs">
        <Group justify="space-between" align="baseline">
          <Title order={3} fz="h4">
            Alerts
          </Title>
          <Anchor component={Link} to={paths.alerts({ hostId: host.id })} size="sm">
            All alerts of {host.hostname}
          </Anchor>
        </Group>
        <ErrorAlert error={alerts.error} title="Could not load alerts" />
        {alerts.data && items.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="host-alerts-empty">
            No unresolved alerts: this host's backups, checks and agent are fine.
          </Text>
        ) : null}
        {items.length > 0 ? (
          <Stack gap={2}>
            {items.map((a) => (
              <AlertLine key={a.id} alert={a} />
            ))}
            {alerts.data?.next_cursor ? (
              <Text size="xs" c="dimmed">
                The newest {HOST_ALERTS} are shown; the alerts page has them all.
              </Text>
            ) : null}
          </Stack>
        ) : null}
        <MuteControl host={host} canManage={canManage} />
      </Stack>
    </Card>
  );
}

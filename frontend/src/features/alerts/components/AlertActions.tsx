// What someone with alerts_manage can do to an unresolved alert: acknowledge it (only while
// open), resolve it, snooze its notifications (1 h … 1 week, or end a snooze). Compact icon
// buttons in a table row, labelled buttons on the alert's page; every control is a real button.
import { ActionIcon, Button, Group, Menu, Tooltip } from '@mantine/core';
import { IconAlarmSnooze, IconCheck, IconChecks, IconChevronDown } from '@tabler/icons-react';
import type { Alert } from '@/api/types';
import { QUIET_PRESETS, isQuiet, quietUntil } from '@/lib/alerts';
import { formatDateTime } from '@/lib/format';
import { notifyError, notifySuccess } from '@/lib/notify';
import { useAlertAction, type AlertAction } from '../api';

const DONE: Record<AlertAction['kind'], string> = {
  acknowledge: 'Alert acknowledged.',
  resolve: 'Alert resolved.',
  snooze: 'Snooze changed.',
};

export function AlertActions({ alert, compact = false }: { alert: Alert; compact?: boolean }) {
  const action = useAlertAction();
  if (alert.state === 'resolved') return null;
  const run = (a: AlertAction) =>
    action.mutate(a, {
      onSuccess: (saved) =>
        notifySuccess(a.kind === 'snooze' ? (saved.snoozed_until ? `Snoozed until ${formatDateTime(saved.snoozed_until)}.` : 'Snooze ended.') : DONE[a.kind]),
      onError: (error) => notifyError('Could not change the alert', error),
    });
  const pending = (kind: AlertAction['kind']) => action.isPending && action.variables.kind === kind;
  const snoozed = isQuiet(alert.snoozed_until);
  const snoozeItems = (
    <Menu.Dropdown>
      <Menu.Label>Quiet its notifications for</Menu.Label>
      {QUIET_PRESETS.map((p) => (
        <Menu.Item key={p.key} onClick={() => run({ kind: 'snooze', id: alert.id, until: quietUntil(p.seconds) })}>
          {p.label}
        </Menu.Item>
      ))}
      {snoozed ? (
        <>
          <Menu.Divider />
          <Menu.Item onClick={() => run({ kind: 'snooze', id: alert.id, until: null })}>End the snooze</Menu.Item>
        </>
      ) : null}
    </Menu.Dropdown>
  );

  if (compact) {
    return (
      <Group gap={4} wrap="nowrap" justify="flex-end">
        {alert.state === 'open' ? (
          <Tooltip label="Acknowledge: someone is on it">
            <ActionIcon
              variant="subtle"
              aria-label={`Acknowledge ${alert.title}`}
              data-testid="alert-ack"
              loading={pending('acknowledge')}
              onClick={() => run({ kind: 'acknowledge', id: alert.id })}
            >
              <IconCheck size={18} />
            </ActionIcon>
          </Tooltip>
        ) : null}
        <Tooltip label="Resolve">
          <ActionIcon
            variant="subtle"
            color="teal"
            aria-label={`Resolve ${alert.title}`}
            data-testid="alert-resolve"
            loading={pending('resolve')}
            onClick={() => run({ kind: 'resolve', id: alert.id })}
          >
            <IconChecks size={18} />
          </ActionIcon>
        </Tooltip>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <ActionIcon variant="subtle" color="gray" aria-label={`Snooze ${alert.title}`} data-testid="alert-snooze" loading={pending('snooze')}>
              <IconAlarmSnooze size={18} />
            </ActionIcon>
          </Menu.Target>
          {snoozeItems}
        </Menu>
      </Group>
    );
  }

  return (
    <Group gap="xs" wrap="wrap">
      {alert.state === 'open' ? (
        <Button
          leftSection={<IconCheck size={16} />}
          data-testid="alert-ack"
          loading={pending('acknowledge')}
          onClick={() => run({ kind: 'acknowledge', id: alert.id })}
        >
          Acknowledge
        </Button>
      ) : null}
      <Button
        variant="default"
        leftSection={<IconChecks size={16} />}
        data-testid="alert-resolve"
        loading={pending('resolve')}
        onClick={() => run({ kind: 'resolve', id: alert.id })}
      >
        Resolve
      </Button>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button
            variant="default"
            leftSection={<IconAlarmSnooze size={16} />}
            rightSection={<IconChevronDown size={14} />}
            data-testid="alert-snooze"
            loading={pending('snooze')}
          >
            Snooze
          </Button>
        </Menu.Target>
        {snoozeItems}
      </Menu>
    </Group>
  );
}

// An alert's life, oldest first: what happened (opened, seen again, escalated, acknowledged,
// snoozed, resolved), when, who did it ("Cairn" when the server did it by itself) and the details.
import { Group, Text, Timeline } from '@mantine/core';
import { IconAlarmSnooze, IconAlertTriangle, IconArrowUp, IconCheck, IconChecks, IconRepeat } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { AlertEvent, AlertEventKind } from '@/api/types';
import { AlertSeverityBadge } from '@/components/AlertBadges';
import { RelativeTime } from '@/components/RelativeTime';
import { EVENT_KIND_LABEL, alertActor } from '@/lib/alerts';
import { JsonDetails } from './JsonDetails';

const ICON: Record<AlertEventKind, ReactNode> = {
  opened: <IconAlertTriangle size={12} />,
  repeated: <IconRepeat size={12} />,
  escalated: <IconArrowUp size={12} />,
  acknowledged: <IconCheck size={12} />,
  snoozed: <IconAlarmSnooze size={12} />,
  resolved: <IconChecks size={12} />,
};

export function AlertEvents({ events }: { events: AlertEvent[] }) {
  if (events.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="alert-events">
        No events recorded.
      </Text>
    );
  }
  return (
    <Timeline active={events.length - 1} bulletSize={22} lineWidth={2} data-testid="alert-events">
      {events.map((event, i) => (
        <Timeline.Item
          key={`${event.at}-${i}`}
          bullet={ICON[event.kind]}
          title={
            <Group gap={6} wrap="wrap">
              <Text fw={600} size="sm">
                {EVENT_KIND_LABEL[event.kind]}
              </Text>
              {event.kind === 'escalated' || event.kind === 'opened' ? <AlertSeverityBadge severity={event.severity} size="xs" /> : null}
            </Group>
          }
          data-testid="alert-event"
          data-kind={event.kind}
        >
          <Text size="xs" c="dimmed">
            <RelativeTime value={event.at} /> · by{' '}
            <Text span size="xs" fw={500} c={event.actor ? undefined : 'dimmed'} data-testid="alert-event-actor">
              {alertActor(event.actor)}
            </Text>
          </Text>
          <JsonDetails value={event.details} />
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

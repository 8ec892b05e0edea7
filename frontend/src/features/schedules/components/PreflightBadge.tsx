// A schedule's preflight state on its row: Ready (green), Warning (yellow) or Blocked (red),
// with the number of findings. It opens the findings, when the agent last checked, and (for
// people who manage schedules) "Check now".
import { Badge, Button, Loader, Popover, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconAlertTriangle, IconChecklist, IconCircleCheck, IconHandStop } from '@tabler/icons-react';
import { useState } from 'react';
import type { Schedule } from '@/api/types';
import { FindingsList, PREFLIGHT_STATE_META } from '@/components/FindingsList';
import { formatDateTime, formatRelative } from '@/lib/format';

const STATE_ICON = { ready: IconCircleCheck, warning: IconAlertTriangle, blocked: IconHandStop } as const;

interface Props {
  schedule: Schedule;
  canCheck: boolean;
  /** This row's "Check now" request is under way. */
  checking: boolean;
  onCheck: () => void;
}

export function PreflightBadge({ schedule, canCheck, checking, onCheck }: Props) {
  const [opened, setOpened] = useState(false);
  const state = schedule.state;
  const meta = PREFLIGHT_STATE_META[state];
  const Icon = STATE_ICON[state];
  const findings = schedule.findings ?? [];
  const count = findings.length;
  const checkedAt = schedule.agent_checked_at;
  const headline =
    state === 'ready'
      ? checkedAt
        ? 'Ready: the server and the agent found nothing to fix.'
        : 'Ready: the server found nothing to fix. The agent has not checked it yet.'
      : meta.help;

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-start" withArrow shadow="md" width={360} trapFocus returnFocus>
      <Popover.Target>
        <UnstyledButton
          onClick={() => setOpened((o) => !o)}
          aria-label={`Preflight: ${meta.label}${count ? `, ${count} ${count === 1 ? 'finding' : 'findings'}` : ''}`}
          aria-expanded={opened}
          aria-haspopup="dialog"
          data-testid="schedule-state"
          data-state={state}
          style={{ borderRadius: 'var(--mantine-radius-xl)' }}
        >
          <Badge
            color={meta.color}
            variant="light"
            tt="none"
            leftSection={checking ? <Loader size={10} color={meta.color} /> : <Icon size={12} />}
            style={{ cursor: 'pointer' }}
          >
            {meta.label}
            {count ? ` · ${count}` : ''}
            {checking ? ' · checking…' : ''}
          </Badge>
        </UnstyledButton>
      </Popover.Target>
      <Popover.Dropdown maw="calc(100vw - 2rem)" role="dialog" aria-label={`Preflight of ${schedule.name}`} data-testid="schedule-state-details">
        <Stack gap="xs">
          <Text size="sm" fw={600} data-testid="schedule-state-headline">
            {headline}
          </Text>
          <FindingsList findings={findings} testId="schedule-findings" />
          <Text size="xs" c="dimmed" data-testid="schedule-checked-at">
            {checkedAt
              ? `The agent last checked it ${formatRelative(checkedAt)} (${formatDateTime(checkedAt)}).`
              : 'The agent has not checked it since it last changed; it does at the next run, or now.'}
          </Text>
          {canCheck ? (
            <Button
              size="xs"
              variant="light"
              leftSection={<IconChecklist size={14} />}
              loading={checking}
              onClick={() => {
                setOpened(false);
                onCheck();
              }}
            >
              Check now
            </Button>
          ) : null}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

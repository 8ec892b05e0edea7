// One schedule in the host's list: its name, repository (and the mirror each backup is copied
// to, "→ name"), preflight state (Ready / Warning /
// Blocked, opening its findings and "Check now") and whether it is enabled, with the actions at the top,
// then when it runs (the server's sentence, its zone), its next fire and its last run (linked to
// the job), then what it backs up and keeps. The facts wrap into one column on a phone.
import { Anchor, Badge, Button, Code, Group, Menu, Paper, SimpleGrid, Stack, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconPencil, IconPlayerPause, IconPlayerPlay, IconTrash, IconWorld } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Schedule } from '@/api/types';
import { RowActionsMenu } from '@/components/DataTable';
import { JobStatusBadge } from '@/components/JobStatusBadge';
import { formatDateTime, formatRelative } from '@/lib/format';
import { isActiveJob } from '@/lib/jobs';
import { paths } from '@/lib/paths';
import { formatInZone } from '@/lib/zones';
import { retentionSummary } from '../form';
import { PreflightBadge } from './PreflightBadge';

export const MANUAL_SENTENCE = 'Manual — runs only when asked';

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId: string }) {
  return (
    <Stack gap={2} data-testid={testId} miw={0}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" lts={0.3}>
        {label}
      </Text>
      {children}
    </Stack>
  );
}

function NextRun({ schedule }: { schedule: Schedule }) {
  const next = schedule.next_fires[0];
  if (!schedule.cron) return <Text size="sm" c="dimmed">Only when asked</Text>;
  if (!schedule.enabled) return <Text size="sm" c="dimmed">None: disabled</Text>;
  if (!next) return <Text size="sm" c="dimmed">—</Text>;
  return (
    <>
      <Tooltip label={`Your time: ${formatDateTime(next)}`} withArrow>
        <Text size="sm" data-testid="schedule-next-relative" w="fit-content">
          {formatRelative(next)}
        </Text>
      </Tooltip>
      <Text size="xs" c="dimmed" data-testid="schedule-next-absolute">
        {formatInZone(next, schedule.effective_timezone)}
      </Text>
    </>
  );
}

function LastRun({ schedule }: { schedule: Schedule }) {
  const run = schedule.last_run;
  if (!run) {
    return (
      <Text size="sm" c="dimmed" data-testid="schedule-last-run" data-status="none">
        Never
      </Text>
    );
  }
  return (
    <Anchor
      component={Link}
      to={paths.job(run.job_id)}
      underline="never"
      data-testid="schedule-last-run"
      data-status={run.status}
      data-job-id={run.job_id}
      w="fit-content"
    >
      <Group gap={6} wrap="nowrap">
        <JobStatusBadge status={run.status} />
        <Text size="sm" c="dimmed" span>
          {formatRelative(run.finished_at ?? run.created_at)}
        </Text>
      </Group>
    </Anchor>
  );
}

/** What it backs up and keeps, in one line: "/etc, /home · keep 7 daily · forget, prune". */
function whatLine(schedule: Schedule): string {
  const parts = [schedule.backup.paths.join(', ')];
  const keep = retentionSummary(schedule.retention);
  if (keep) parts.push(keep);
  if (schedule.forget_after_backup) parts.push(schedule.prune_after_forget ? 'forget and prune after backup' : 'forget after backup');
  return parts.join(' · ');
}

interface Props {
  schedule: Schedule;
  repositoryName: string;
  /** The mirror each successful backup is copied to (`copy_to`); absent when none. */
  mirrorName?: string;
  canManage: boolean;
  canRun: boolean;
  /** This row's "Run now" request is under way. */
  running: boolean;
  /** This row's enable/disable request is under way. */
  toggling: boolean;
  /** This row's "Check now" request is under way. */
  checking: boolean;
  onCheck: () => void;
  onRun: () => void;
  onEdit: () => void;
  onToggle: () => void;
  onDelete: () => void;
}

export function ScheduleRow({ schedule, repositoryName, mirrorName, canManage, canRun, running, toggling, checking, onCheck, onRun, onEdit, onToggle, onDelete }: Props) {
  const active = schedule.last_run !== undefined && isActiveJob(schedule.last_run.status);
  return (
    <Paper
      component="li"
      withBorder
      radius="md"
      p="md"
      data-testid="schedule-row"
      data-schedule-id={schedule.id}
      data-enabled={String(schedule.enabled)}
      aria-label={schedule.name}
      style={{ listStyle: 'none', opacity: schedule.enabled ? 1 : 0.85 }}
    >
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs">
          <Stack gap={2} miw={0} style={{ flex: '1 1 12rem' }}>
            <Group gap="xs" wrap="wrap">
              <Text fw={650} style={{ overflowWrap: 'anywhere' }} data-testid="schedule-name">
                {schedule.name}
              </Text>
              <PreflightBadge schedule={schedule} canCheck={canManage} checking={checking} onCheck={onCheck} />
              {schedule.enabled ? null : (
                <Badge color="gray" variant="outline" tt="none" data-testid="schedule-disabled">
                  Disabled
                </Badge>
              )}
            </Group>
            <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }} data-testid="schedule-repository">
              to {repositoryName}
              {mirrorName ? (
                <Tooltip label={`Each successful backup is copied to ${mirrorName} too (3-2-1).`} withArrow multiline maw={280}>
                  <Text span size="sm" c="dimmed" ml={6} data-testid="schedule-copy-to">
                    <span aria-hidden>→ </span>
                    <VisuallyHidden>and copied to </VisuallyHidden>
                    {mirrorName}
                  </Text>
                </Tooltip>
              ) : null}
            </Text>
          </Stack>
          {canRun || canManage ? (
            <Group gap="xs" wrap="nowrap">
              {canRun ? (
                <Tooltip label="A run of this schedule has not ended yet" disabled={!active} withArrow>
                  <Button
                    size="xs"
                    variant="light"
                    leftSection={<IconPlayerPlay size={14} />}
                    loading={running}
                    disabled={active}
                    onClick={onRun}
                  >
                    Run now
                  </Button>
                </Tooltip>
              ) : null}
              {canManage ? (
                <>
                  <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} onClick={onEdit}>
                    Edit
                  </Button>
                  <RowActionsMenu name={schedule.name}>
                    <Menu.Item
                      leftSection={schedule.enabled ? <IconPlayerPause size={14} /> : <IconPlayerPlay size={14} />}
                      onClick={onToggle}
                      disabled={toggling}
                    >
                      {schedule.enabled ? 'Disable' : 'Enable'}
                    </Menu.Item>
                    <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={onDelete}>
                      Delete…
                    </Menu.Item>
                  </RowActionsMenu>
                </>
              ) : null}
            </Group>
          ) : null}
        </Group>

        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="md" verticalSpacing="sm">
          <Fact label="When" testId="schedule-when">
            <Text size="sm" data-testid="schedule-sentence">
              {schedule.cron ? (schedule.description ?? schedule.cron) : MANUAL_SENTENCE}
            </Text>
            {schedule.cron ? (
              <Group gap={6} wrap="wrap">
                <Code>{schedule.cron}</Code>
                <Text size="xs" c="dimmed" data-testid="schedule-zone">
                  <IconWorld size={12} style={{ verticalAlign: '-2px', marginRight: 3 }} />
                  {schedule.effective_timezone}
                  {schedule.timezone ? '' : ' (host’s zone)'}
                </Text>
              </Group>
            ) : null}
          </Fact>
          <Fact label="Next run" testId="schedule-next">
            <NextRun schedule={schedule} />
          </Fact>
          <Fact label="Last run" testId="schedule-last">
            <LastRun schedule={schedule} />
          </Fact>
        </SimpleGrid>

        <Text size="xs" c="dimmed" lineClamp={2} style={{ overflowWrap: 'anywhere' }} data-testid="schedule-what">
          {whatLine(schedule)}
        </Text>
      </Stack>
    </Paper>
  );
}

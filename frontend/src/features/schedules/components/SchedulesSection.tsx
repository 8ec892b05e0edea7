// The host page's Schedules tab: the host's schedules by name with whether its agent runs the
// current set, each with Run now / Edit / Enable-Disable / Delete for the people who may, the
// empty state, and the editor and delete dialogs; "Check now" on a row shows the agent's report.
// Operators and admins manage schedules (schedules_manage) and run them (jobs_run); viewers see them.
import { Button, Card, EmptyState, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { IconCalendarOff, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import type { Host, PreflightReport, Repository, Schedule } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { TableSkeleton } from '@/components/TableSkeleton';
import { canOnHost } from '@/lib/auth';
import { notifyError, notifySuccess } from '@/lib/notify';
import { useHostSchedules, usePreflightSchedule, useReplaceSchedule, useRunSchedule } from '../api';
import { scheduleRequest, scheduleValues } from '../form';
import { DeleteScheduleForm } from './DeleteScheduleForm';
import { HostHooksPanel } from './HostHooksPanel';
import { PreflightResult } from './PreflightResult';
import { ScheduleEditor } from './ScheduleEditor';
import { ScheduleRow } from './ScheduleRow';
import { SyncBadge } from './SyncBadge';

/** What the host page hands over (the app puts this panel in the host page's schedules slot). */
export interface SchedulesSectionProps {
  host: Host;
  /** Every repository (for names); the host's own are `host.repository_ids`. */
  repositories: Repository[];
}

export function SchedulesSection({ host, repositories }: SchedulesSectionProps) {
  // What the caller may do on this host (host roles included).
  const canManage = canOnHost(host, 'schedules_manage');
  const canRun = canOnHost(host, 'backups_run');
  const schedules = useHostSchedules(host.id);
  const run = useRunSchedule(host.id);
  const toggle = useReplaceSchedule(host.id);
  const preflight = usePreflightSchedule(host.id);
  const [checked, setChecked] = useState<{ name: string; report: PreflightReport } | null>(null);
  const [checkedOpen, setCheckedOpen] = useState(false);
  const [editorOpen, setEditorOpen] = useState(false);
  // Kept after closing, so the dialog's title does not change while it fades out.
  const [editTarget, setEditTarget] = useState<Schedule | undefined>(undefined);
  const openEditor = (s?: Schedule) => {
    setEditTarget(s);
    setEditorOpen(true);
  };
  const [deleting, setDeleting] = useState<Schedule | null>(null);
  const names = new Map(repositories.map((r) => [r.id, r.name]));
  const list = schedules.data;
  const items = list?.items ?? [];

  const runNow = (s: Schedule) =>
    run.mutate(s.id, {
      onSuccess: () => notifySuccess(`${s.name} started; its progress shows under Last run.`),
      onError: (error) => notifyError(`Could not run ${s.name}`, error),
    });

  const checkNow = (s: Schedule) =>
    preflight.mutate(s.id, {
      onSuccess: (report) => {
        setChecked({ name: s.name, report });
        setCheckedOpen(true);
      },
      onError: (error) => notifyError(`Could not check ${s.name}`, error),
    });

  // Enable/disable sends the whole schedule back (PUT replaces it) with only `enabled` changed;
  // `hooks` is left out, which keeps the stored ones (and is the only way a non-admin may save).
  const setEnabled = (s: Schedule, enabled: boolean) =>
    toggle.mutate(
      { id: s.id, body: scheduleRequest({ ...scheduleValues(s), enabled }) },
      {
        onSuccess: () => notifySuccess(enabled ? `${s.name} is enabled again.` : `${s.name} is disabled: it keeps its settings and never runs by itself.`),
        onError: (error) => notifyError(`Could not ${enabled ? 'enable' : 'disable'} ${s.name}`, error),
      },
    );

  const newButton = canManage ? (
    <Button leftSection={<IconPlus size={16} />} onClick={() => openEditor()}>
      New schedule
    </Button>
  ) : null;

  return (
    <Card withBorder radius="md" p={{ base: 'md', sm: 'lg' }} data-testid="schedules-section">
      <Stack gap="md">
        <Group justify="space-between" align="flex-end" gap="sm">
          <div style={{ flex: '1 1 16rem' }}>
            <Title order={3} fz="h4">
              Schedules
            </Title>
            <Text size="sm" c="dimmed">
              When {host.hostname} is backed up, to where, and how long the snapshots are kept. Each runs on the host’s agent
              in its own time zone.
            </Text>
          </div>
          <Group gap="sm">
            {list ? <SyncBadge list={list} /> : null}
            {items.length > 0 ? newButton : null}
          </Group>
        </Group>

        <ErrorAlert error={schedules.error} title="Could not load the schedules" />
        {schedules.isPending ? <TableSkeleton rows={2} label="Loading schedules" /> : null}

        {list && items.length === 0 ? (
          <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }} data-testid="schedules-empty">
            <EmptyState
              icon={<IconCalendarOff size={28} />}
              variant="light"
              color="gray"
              title="No schedule yet"
              description={
                canManage
                  ? `${host.hostname} is backed up only when you click “Run backup now”. A schedule says what to back up, where, when, and how long to keep it.`
                  : `${host.hostname} is backed up only when someone clicks “Run backup now”. An operator or administrator can add a schedule.`
              }
            >
              {newButton ? <EmptyState.Actions>{newButton}</EmptyState.Actions> : null}
            </EmptyState>
          </Paper>
        ) : null}

        {items.length > 0 ? (
          <Stack component="ul" gap="sm" p={0} m={0} aria-label={`Schedules of ${host.hostname}`} data-testid="schedules-list">
            {items.map((s) => (
              <ScheduleRow
                key={s.id}
                schedule={s}
                repositoryName={names.get(s.repository_id) ?? 'a repository'}
                mirrorName={s.copy_to ? (names.get(s.copy_to) ?? 'a repository') : undefined}
                canManage={canManage}
                canRun={canRun}
                running={run.isPending && run.variables === s.id}
                toggling={toggle.isPending && toggle.variables?.id === s.id}
                checking={preflight.isPending && preflight.variables === s.id}
                onCheck={() => checkNow(s)}
                onRun={() => runNow(s)}
                onEdit={() => openEditor(s)}
                onToggle={() => setEnabled(s, !s.enabled)}
                onDelete={() => setDeleting(s)}
              />
            ))}
          </Stack>
        ) : null}

        <HostHooksPanel host={host} />
      </Stack>

      <ScheduleEditor opened={editorOpen} onClose={() => setEditorOpen(false)} host={host} repositories={repositories} schedule={editTarget} />

      <Modal opened={checkedOpen} onClose={() => setCheckedOpen(false)} title={checked ? `Check of ${checked.name}` : ''} size="lg">
        {checked ? <PreflightResult report={checked.report} /> : null}
      </Modal>

      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={deleting ? `Delete ${deleting.name}?` : ''}>
        {deleting ? (
          <DeleteScheduleForm
            host={host}
            schedule={deleting}
            onCancel={() => setDeleting(null)}
            onDone={() => {
              notifySuccess(`${deleting.name} was deleted.`);
              setDeleting(null);
            }}
          />
        ) : null}
      </Modal>
    </Card>
  );
}

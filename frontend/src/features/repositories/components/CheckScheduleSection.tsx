// A repository's check on a schedule of its own: the server starts a `check` job at each fire
// through the preferred linked host, else any online linked host. Everyone reads it in a
// sentence (with the next fire); admins (repos_manage) set it, with the server's live reading
// of the cron, and remove it (PATCH `check_schedule`, whole or null).
import { Alert, Anchor, Button, Card, Group, List, Loader, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { IconAlertTriangle, IconCalendarTime, IconDeviceFloppy, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage, inputFor } from '@/api/errors';
import type { Host, Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { RelativeTime } from '@/components/RelativeTime';
import { formatDateTime, formatRelative } from '@/lib/format';
import { notifyError, notifySuccess } from '@/lib/notify';
import { paths } from '@/lib/paths';
import { useCheckCronPreview, useSetCheckSchedule } from '../careApi';
import {
  CHECK_PRESETS,
  CHECK_SCHEDULE_INPUTS,
  CUSTOM_CHECK_PRESET,
  checkPresetOf,
  checkScheduleRequest,
  checkScheduleValues,
  formatFire,
  inSentence,
  isDue,
  knownZones,
  newCheckScheduleValues,
  validateCheckSchedule,
  type CheckSchedule,
  type CheckScheduleValues,
} from '../checkSchedule';

const PRESET_OPTIONS = [...CHECK_PRESETS.map((p) => ({ value: p.value, label: p.label })), { value: CUSTOM_CHECK_PRESET, label: 'Custom expression' }];
const PREVIEW_DEBOUNCE_MS = 400;
const PREVIEW_FIRES = 3;
const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };
const noSpellcheck = { spellCheck: false, autoCapitalize: 'off', autoComplete: 'off' } as const;

interface Props {
  repository: Repository;
  /** The repository's linked hosts (the preferred host is one of them). */
  hosts: Host[];
  /** May set and remove it (repos_manage). */
  canEdit: boolean;
}

/** The server's reading of the cron being typed: its sentence and next fires, or its refusal. */
function CronPreview({ cron, timezone }: { cron: string; timezone: string }) {
  const [debounced] = useDebouncedValue(cron.trim(), PREVIEW_DEBOUNCE_MS);
  const preview = useCheckCronPreview(debounced, timezone);
  const settling = debounced !== cron.trim() || preview.isFetching;
  if (!cron.trim()) return null;
  if (preview.isError && !settling) {
    return (
      <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} p="xs" data-testid="check-cron-preview" data-state="error">
        <Text size="sm">{errorMessage(preview.error)}</Text>
      </Alert>
    );
  }
  const data = preview.data;
  return (
    <Paper withBorder radius="md" p="xs" data-testid="check-cron-preview" data-state={!data || settling ? 'loading' : 'ok'} aria-live="polite" style={{ opacity: data && settling ? 0.6 : 1 }}>
      {data ? (
        <Stack gap={4}>
          <Text size="sm" fw={600} data-testid="check-cron-sentence">
            <IconCalendarTime size={16} style={{ verticalAlign: '-3px', marginRight: 6 }} />
            {data.description}
          </Text>
          <List size="sm" spacing={2} listStyleType="none" ml={0}>
            {data.next_fires.slice(0, PREVIEW_FIRES).map((fire) => (
              <List.Item key={fire} data-testid="check-cron-fire">
                <Text span size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                  {formatFire(fire, data.timezone)}
                </Text>{' '}
                <Text span size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  · {formatRelative(fire)}
                </Text>
              </List.Item>
            ))}
          </List>
        </Stack>
      ) : (
        <Text size="sm" c="dimmed">
          <Loader size={12} mr={8} />
          Reading the schedule…
        </Text>
      )}
    </Paper>
  );
}

interface FormProps {
  repository: Repository;
  hosts: Host[];
  onDone: () => void;
  onRemove: () => void;
  removing: boolean;
}

function CheckScheduleForm({ repository, hosts, onDone, onRemove, removing }: FormProps) {
  const set = useSetCheckSchedule(repository.id);
  const current = repository.check_schedule;
  const form = useForm<CheckScheduleValues>({
    initialValues: current ? checkScheduleValues(current) : newCheckScheduleValues(),
    validate: (values) => validateCheckSchedule(values),
  });
  const v = form.values;
  const zones = v.timezone && !knownZones().includes(v.timezone) ? [v.timezone, ...knownZones()] : knownZones();
  const hostOptions = hosts.map((h) => ({ value: h.id, label: h.status === 'online' ? h.hostname : `${h.hostname} (offline)` }));
  if (v.hostId && !hosts.some((h) => h.id === v.hostId)) hostOptions.unshift({ value: v.hostId, label: 'A host no longer linked' });
  const onField = inputFor(set.error, CHECK_SCHEDULE_INPUTS) !== undefined;
  const formId = useId();
  /** Gives the first field with an error the focus (keyboard users land on it). */
  const focusFirstError = () =>
    requestAnimationFrame(() => {
      const invalid = document.getElementById(formId)?.querySelector<HTMLElement>('[aria-invalid="true"]');
      invalid?.scrollIntoView({ block: 'center' });
      invalid?.focus();
    });

  const save = form.onSubmit((values) =>
    set.mutate(checkScheduleRequest(values), {
      onSuccess: () => {
        notifySuccess(`${repository.name} is checked on its schedule from now on.`);
        onDone();
      },
      onError: (error) => {
        const input = inputFor(error, CHECK_SCHEDULE_INPUTS);
        if (input) {
          form.setFieldError(input, errorMessage(error));
          focusFirstError();
        }
      },
    }),
    focusFirstError,
  );

  return (
    <form id={formId} noValidate onSubmit={save} aria-label="Check schedule" data-testid="check-schedule-form">
      <Stack gap="sm">
        {set.error && !onField ? <ErrorAlert error={set.error} title="Could not save the check’s schedule" /> : null}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Select
            label="Preset"
            description="Pick one, or write any expression"
            data={PRESET_OPTIONS}
            value={checkPresetOf(v.cron)}
            allowDeselect={false}
            onChange={(value) => {
              const preset = CHECK_PRESETS.find((p) => p.value === value);
              if (preset) form.setFieldValue('cron', preset.cron);
            }}
            data-testid="check-preset"
          />
          <TextInput
            label="Cron expression"
            description="minute hour day-of-month month day-of-week"
            placeholder="0 4 * * 0"
            required
            styles={mono}
            data-autofocus
            {...noSpellcheck}
            {...form.getInputProps('cron')}
          />
          <Select
            label="Time zone"
            description="The cron is read in this zone."
            data={zones}
            searchable
            allowDeselect={false}
            limit={100}
            nothingFoundMessage="No zone matches"
            {...form.getInputProps('timezone')}
            onChange={(value: string | null) => form.setFieldValue('timezone', value ?? '')}
          />
          <TextInput
            label="Read data subset"
            description="5%, 1/5 or 500M of the data read back; empty checks the structure only."
            placeholder="5%"
            styles={mono}
            {...noSpellcheck}
            {...form.getInputProps('readDataSubset')}
          />
        </SimpleGrid>
        <Select
          label="Preferred host"
          description="It runs the check when online; else any online linked host does."
          placeholder={hosts.length === 0 ? 'No host is linked yet' : 'Any online linked host'}
          data={hostOptions}
          clearable
          {...form.getInputProps('hostId')}
        />
        <CronPreview cron={v.cron} timezone={v.timezone} />
        <Group justify="space-between" gap="xs" mt="xs">
          {current ? <RemoveButton onRemove={onRemove} removing={removing} /> : <span />}
          <Group gap="xs" justify="flex-end">
            <Button variant="default" onClick={onDone}>
              Cancel
            </Button>
            <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={set.isPending}>
              Save schedule
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}

/** Remove the schedule (PATCH `check_schedule: null`); the checks already run stay in the history. */
function RemoveButton({ onRemove, removing, size = 'sm' }: { onRemove: () => void; removing: boolean; size?: 'xs' | 'sm' }) {
  return (
    <Button variant="subtle" color="red" size={size} leftSection={<IconTrash size={16} />} loading={removing} onClick={onRemove}>
      Remove schedule
    </Button>
  );
}

function hostLabel(schedule: CheckSchedule, hosts: Host[]) {
  if (!schedule.host_id) return <>any online linked host</>;
  const host = hosts.find((h) => h.id === schedule.host_id);
  return (
    <Anchor component={Link} to={paths.host(schedule.host_id)} size="sm" data-testid="check-schedule-host">
      {host?.hostname ?? 'its preferred host'}
    </Anchor>
  );
}

function ScheduleSentence({ schedule, hosts }: { schedule: CheckSchedule; hosts: Host[] }) {
  const due = isDue(schedule.next_at);
  return (
    <Text size="sm" data-testid="check-schedule-sentence" style={{ flex: '1 1 16rem', overflowWrap: 'anywhere' }}>
      Checked {inSentence(schedule.description)} ({schedule.timezone}), reading{' '}
      {schedule.read_data_subset ? (
        <>
          <Text span ff="monospace" size="sm">
            {schedule.read_data_subset}
          </Text>{' '}
          of the data
        </>
      ) : (
        'the structure only'
      )}
      , through {hostLabel(schedule, hosts)};{' '}
      {!schedule.next_at ? (
        'no next run'
      ) : due ? (
        <Text span size="sm" c="orange" fw={600} data-testid="check-schedule-due" title={formatDateTime(schedule.next_at)}>
          due: waits for an online host
        </Text>
      ) : (
        <>
          next: <RelativeTime value={schedule.next_at} />
        </>
      )}
      .
    </Text>
  );
}

export function CheckScheduleSection({ repository, hosts, canEdit }: Props) {
  const [editing, setEditing] = useState(false);
  // Here, not in the button: the button is gone once the schedule is, and the notice must still show.
  const remove = useSetCheckSchedule(repository.id);
  const onRemove = () =>
    remove.mutate(null, {
      onSuccess: () => {
        setEditing(false);
        notifySuccess(`${repository.name} is no longer checked on a schedule.`);
      },
      onError: (error) => notifyError('Could not remove the check’s schedule', error),
    });
  const schedule = repository.check_schedule;
  let body;
  if (editing && canEdit) {
    body = <CheckScheduleForm repository={repository} hosts={hosts} onDone={() => setEditing(false)} onRemove={onRemove} removing={remove.isPending} />;
  } else if (schedule) {
    body = (
      <Group justify="space-between" align="flex-start" gap="sm">
        <ScheduleSentence schedule={schedule} hosts={hosts} />
        {canEdit ? (
          <Group gap="xs">
            <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} onClick={() => setEditing(true)}>
              Edit schedule
            </Button>
            <RemoveButton onRemove={onRemove} removing={remove.isPending} size="xs" />
          </Group>
        ) : null}
      </Group>
    );
  } else {
    body = (
      <Stack gap="xs" data-testid="check-schedule-empty">
        <Text size="sm" c="dimmed">
          No scheduled check. A weekly check with a 5 % data subset finds damage before a restore needs the data.
          {canEdit ? '' : ' An administrator can schedule one.'}
        </Text>
        {canEdit ? (
          <Group>
            <Button size="xs" variant="default" leftSection={<IconPlus size={14} />} onClick={() => setEditing(true)}>
              Schedule a check
            </Button>
          </Group>
        ) : null}
      </Stack>
    );
  }
  return (
    <Card withBorder radius="md" padding="lg" data-testid="repository-check-schedule">
      <Stack gap="sm">
        <div>
          <Title order={3} fz="h4">
            Scheduled check
          </Title>
          <Text size="sm" c="dimmed">
            The server starts a check at each time, through a linked host that is online.
          </Text>
        </div>
        {body}
      </Stack>
    </Card>
  );
}

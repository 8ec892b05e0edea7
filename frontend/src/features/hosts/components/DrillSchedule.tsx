// The host's restore drill schedule: everyone reads it in a sentence (when, next fire, sample, repository);
// schedules_manage sets it in a dialog with presets and the server's live reading of the cron, and removes it.
import { Alert, Anchor, Button, Card, Group, List, Loader, Modal, NumberInput, Paper, Select, SimpleGrid, Skeleton, Stack, Text, TextInput, Title } from '@mantine/core';
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
import { submitOnModEnter } from '@/lib/keyboard';
import { notifyError, notifySuccess } from '@/lib/notify';
import { paths } from '@/lib/paths';
import { formatInZone, timeZones } from '@/lib/zones';
import { useDrillCronPreview, useDrillSchedule, useRemoveDrillSchedule, useSetDrillSchedule } from '../drill-api';
import {
  CUSTOM_DRILL_PRESET,
  DRILL_PRESETS,
  DRILL_SCHEDULE_INPUTS,
  MAX_FILES,
  MAX_MIB,
  drillPresetOf,
  drillScheduleRequest,
  drillScheduleValues,
  inSentence,
  isDue,
  newDrillScheduleValues,
  sampleSize,
  validateDrillSchedule,
  type DrillSchedule,
  type DrillScheduleValues,
} from '../drillSchedule';

const PRESET_OPTIONS = [...DRILL_PRESETS.map((p) => ({ value: p.value, label: p.label })), { value: CUSTOM_DRILL_PRESET, label: 'Custom expression' }];
const PREVIEW_DEBOUNCE_MS = 400;
const PREVIEW_FIRES = 3;
const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };
const noSpellcheck = { spellCheck: false, autoCapitalize: 'off', autoComplete: 'off' } as const;

interface Props {
  host: Host;
  /** Every repository (for names); the host's own are `host.repository_ids`. */
  repositories: Repository[];
  /** May set and remove it (schedules_manage). */
  canEdit: boolean;
}

function repositoryName(id: string, repositories: Repository[]): string | undefined {
  return repositories.find((r) => r.id === id)?.name;
}

/** The server's reading of the cron being typed, in the zone it will be read in: its sentence and next fires, or its refusal. */
function DrillCronPreview({ cron, timezone, hostId }: { cron: string; timezone: string | null; hostId: string }) {
  const [debounced] = useDebouncedValue(cron.trim(), PREVIEW_DEBOUNCE_MS);
  const preview = useDrillCronPreview(debounced, timezone, hostId);
  // Typed ahead of the last answer: dim it rather than show a stale reading as current.
  const settling = debounced !== cron.trim() || preview.isFetching;
  if (!cron.trim()) return null;
  if (preview.isError && !settling) {
    return (
      <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} p="xs" data-testid="drill-cron-preview" data-state="error">
        <Text size="sm">{errorMessage(preview.error)}</Text>
      </Alert>
    );
  }
  const data = preview.data;
  return (
    <Paper
      withBorder
      radius="md"
      p="xs"
      data-testid="drill-cron-preview"
      data-state={!data || settling ? 'loading' : 'ok'}
      aria-live="polite"
      style={{ opacity: data && settling ? 0.6 : 1 }}
    >
      {data ? (
        <Stack gap={4}>
          <Text size="sm" fw={600} data-testid="drill-cron-sentence">
            <IconCalendarTime size={16} style={{ verticalAlign: '-3px', marginRight: 6 }} />
            {data.description}
          </Text>
          <Text size="xs" c="dimmed">
            Next drills, in {data.timezone}
            {timezone === null ? ' (the host’s zone)' : ''}:
          </Text>
          <List size="sm" spacing={2} listStyleType="none" ml={0}>
            {data.next_fires.slice(0, PREVIEW_FIRES).map((fire) => (
              <List.Item key={fire} data-testid="drill-cron-fire">
                {/* Each part keeps to one line: on a phone the relative time moves under the time, whole. */}
                <Text span size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                  {formatInZone(fire, data.timezone)}
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
  host: Host;
  repositories: Repository[];
  current: DrillSchedule | undefined;
  onDone: () => void;
}

function DrillScheduleForm({ host, repositories, current, onDone }: FormProps) {
  const set = useSetDrillSchedule(host.id);
  const form = useForm<DrillScheduleValues>({
    initialValues: current ? drillScheduleValues(current) : newDrillScheduleValues(host.repository_ids),
    validate: (values) => validateDrillSchedule(values),
  });
  const v = form.values;
  const zones = v.timezone && !timeZones().includes(v.timezone) ? [v.timezone, ...timeZones()] : timeZones();
  const repositoryOptions = host.repository_ids.map((id) => ({ value: id, label: repositoryName(id, repositories) ?? id }));
  // A schedule kept after its repository was unlinked: show it for what it is, so saving asks for another.
  if (v.repositoryId && !host.repository_ids.includes(v.repositoryId)) {
    repositoryOptions.unshift({ value: v.repositoryId, label: `${repositoryName(v.repositoryId, repositories) ?? 'A repository'} (no longer linked)` });
  }
  const onField = inputFor(set.error, DRILL_SCHEDULE_INPUTS) !== undefined;
  const formId = useId();
  /** Gives the first field with an error the focus (keyboard users land on it). */
  const focusFirstError = () =>
    requestAnimationFrame(() => {
      const invalid = document.getElementById(formId)?.querySelector<HTMLElement>('[aria-invalid="true"]');
      invalid?.scrollIntoView({ block: 'center' });
      invalid?.focus();
    });

  const save = form.onSubmit(
    (values) =>
      set.mutate(drillScheduleRequest(values), {
        onSuccess: () => {
          notifySuccess(`${host.hostname} runs restore drills on its schedule from now on.`);
          onDone();
        },
        onError: (error) => {
          const input = inputFor(error, DRILL_SCHEDULE_INPUTS);
          if (input) {
            form.setFieldError(input, errorMessage(error));
            focusFirstError();
          }
        },
      }),
    focusFirstError,
  );

  return (
    <form id={formId} noValidate onSubmit={save} onKeyDown={submitOnModEnter} aria-label="Drill schedule" data-testid="drill-schedule-form">
      <Stack gap="sm">
        {set.error && !onField ? <ErrorAlert error={set.error} title="Could not save the drill schedule" /> : null}
        <Text size="sm" c="dimmed">
          At each time, a random sample of the host’s newest snapshot in the repository is restored to a temporary directory,
          checked against the snapshot, timed and deleted.
        </Text>
        <Select
          label="Repository"
          description="The drill restores from the host’s newest snapshot in it."
          placeholder="Choose a linked repository"
          data={repositoryOptions}
          required
          allowDeselect={false}
          data-autofocus
          {...form.getInputProps('repositoryId')}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Select
            label="Preset"
            description="Pick one, or write any expression"
            data={PRESET_OPTIONS}
            value={drillPresetOf(v.cron)}
            allowDeselect={false}
            onChange={(value) => {
              const preset = DRILL_PRESETS.find((p) => p.value === value);
              if (preset) form.setFieldValue('cron', preset.cron);
            }}
            data-testid="drill-preset"
          />
          <TextInput
            label="Cron expression"
            description="minute hour day-of-month month day-of-week"
            placeholder="0 5 * * 0"
            required
            styles={mono}
            {...noSpellcheck}
            {...form.getInputProps('cron')}
          />
        </SimpleGrid>
        <Select
          label="Time zone"
          description="The cron is read in this zone; empty follows the host’s."
          placeholder={host.timezone ? `${host.timezone} (the host’s zone)` : 'The host’s zone'}
          data={zones}
          searchable
          clearable
          limit={100}
          nothingFoundMessage="No zone matches"
          {...form.getInputProps('timezone')}
          value={v.timezone || null}
          onChange={(value: string | null) => form.setFieldValue('timezone', value ?? '')}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <NumberInput
            label="Files"
            description={`Sampled at random, 1 to ${MAX_FILES}.`}
            min={1}
            max={MAX_FILES}
            allowDecimal={false}
            allowNegative={false}
            required
            {...form.getInputProps('files')}
          />
          <NumberInput
            label="At most (MiB)"
            description="Files larger than what is left are skipped; up to 10 GiB."
            min={1}
            max={MAX_MIB}
            allowDecimal={false}
            allowNegative={false}
            thousandSeparator=","
            required
            {...form.getInputProps('maxMib')}
          />
        </SimpleGrid>
        <DrillCronPreview cron={v.cron} timezone={v.timezone.trim() || null} hostId={host.id} />
        <Group justify="flex-end" gap="xs" mt="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={set.isPending}>
            Save schedule
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ScheduleSentence({ schedule, host, repositories }: { schedule: DrillSchedule; host: Host; repositories: Repository[] }) {
  const name = repositoryName(schedule.repository_id, repositories);
  const linked = host.repository_ids.includes(schedule.repository_id);
  return (
    <Text size="sm" data-testid="drill-schedule-sentence" style={{ flex: '1 1 16rem', overflowWrap: 'anywhere' }}>
      Drills {inSentence(schedule.description)} ({schedule.effective_timezone}) ·{' '}
      {!schedule.next_at ? (
        'no next drill'
      ) : isDue(schedule.next_at) ? (
        <Text span size="sm" c="orange" fw={600} data-testid="drill-schedule-due" title={formatDateTime(schedule.next_at)}>
          due: waits for the host to be online
        </Text>
      ) : (
        <>
          next <RelativeTime value={schedule.next_at} seconds={false} />
        </>
      )}{' '}
      · {sampleSize(schedule)} from{' '}
      <Anchor component={Link} to={paths.repository(schedule.repository_id)} size="sm">
        {name ?? 'its repository'}
      </Anchor>
      {linked ? null : (
        <Text span size="sm" c="orange">
          {' '}
          (no longer linked: drills fail until it is linked again or the schedule changes)
        </Text>
      )}
    </Text>
  );
}

export function DrillScheduleCard({ host, repositories, canEdit }: Props) {
  const query = useDrillSchedule(host.id);
  const remove = useRemoveDrillSchedule(host.id);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const schedule = query.data?.schedule;
  const noRepository = host.repository_ids.length === 0;

  const onRemove = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        setConfirming(false);
        notifySuccess(`${host.hostname} no longer runs restore drills on a schedule.`);
      },
      onError: (error) => notifyError('Could not remove the drill schedule', error),
    });

  let body;
  if (query.isPending) {
    body = <Skeleton height={20} aria-label="Loading the drill schedule" />;
  } else if (query.isError) {
    body = <ErrorAlert error={query.error} title="Could not load the drill schedule" />;
  } else if (schedule) {
    body = (
      <Group justify="space-between" align="flex-start" gap="sm">
        <ScheduleSentence schedule={schedule} host={host} repositories={repositories} />
        {canEdit ? (
          <Group gap="xs">
            <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} onClick={() => setEditing(true)}>
              Edit schedule
            </Button>
            <Button size="xs" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={() => setConfirming(true)}>
              Remove schedule
            </Button>
          </Group>
        ) : null}
      </Group>
    );
  } else {
    body = (
      <Stack gap="xs" data-testid="drill-schedule-empty">
        <Text size="sm" c="dimmed">
          No drill schedule. Schedule one so Cairn proves restores work by itself.
          {canEdit && noRepository ? ' Link a repository first.' : ''}
          {canEdit ? '' : ' An operator or administrator can schedule one.'}
        </Text>
        {canEdit ? (
          <Group>
            <Button size="xs" variant="default" leftSection={<IconPlus size={14} />} onClick={() => setEditing(true)} disabled={noRepository}>
              Schedule drills
            </Button>
          </Group>
        ) : null}
      </Stack>
    );
  }

  return (
    <Card withBorder radius="md" padding="lg" data-testid="drill-schedule">
      <Stack gap="sm">
        <div>
          <Title order={3} fz="h4">
            Restore drill schedule
          </Title>
          <Text size="sm" c="dimmed">
            The server starts a drill at each time, while the host is online.
          </Text>
        </div>
        {body}
      </Stack>
      {canEdit ? (
        <>
          <Modal opened={editing} onClose={() => setEditing(false)} title={schedule ? 'Edit the drill schedule' : 'Schedule restore drills'} size="lg">
            {/* Mounted only while open: the form starts from the schedule as it is now each time. */}
            {editing ? <DrillScheduleForm host={host} repositories={repositories} current={schedule} onDone={() => setEditing(false)} /> : null}
          </Modal>
          <Modal opened={confirming} onClose={() => setConfirming(false)} title="Remove the drill schedule?">
            <Stack gap="sm">
              <Text size="sm">
                Cairn stops starting drills on {host.hostname}. The drills already run stay in the job history, and “Restore drill” still
                starts one by hand.
              </Text>
              <Group justify="flex-end" gap="xs">
                <Button variant="default" onClick={() => setConfirming(false)} data-autofocus>
                  Cancel
                </Button>
                <Button color="red" leftSection={<IconTrash size={16} />} loading={remove.isPending} onClick={onRemove}>
                  Remove schedule
                </Button>
              </Group>
            </Stack>
          </Modal>
        </>
      ) : null}
    </Card>
  );
}

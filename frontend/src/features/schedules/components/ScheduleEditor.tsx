// The schedule editor (create and edit, in a modal; full screen on a phone): what, where, when
// (a preset or any cron, in the schedule's or the host's zone, with the server's live preview),
// retention (with a preview of what the rules keep and remove, for repos_maintain), what
// follows the backup (forget, prune, a copy to a second linked repository), extra restic options from the server's allow-list, hooks (admins only),
// and "Check": the server's and the agent's findings with the command it would run. Enter in a
// one-line field sends, Ctrl/Cmd+Enter from anywhere; the server's refusals land on the field
// `details.field` names.
import {
  Alert,
  Button,
  Fieldset,
  Group,
  Modal,
  NumberInput,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMediaQuery } from '@mantine/hooks';
import { IconChecklist, IconDeviceFloppy, IconEye, IconInfoCircle, IconPlus } from '@tabler/icons-react';
import { useId } from 'react';
import { ApiError, inputFor } from '@/api/errors';
import type { Host, MissedRun, Repository, Schedule } from '@/api/types';
import { PHONE_QUERY } from '@/components/DataTable';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { RetentionPreviewResult } from '@/components/RetentionPreviewResult';
import { usePermission } from '@/lib/auth';
import { submitOnModEnter } from '@/lib/keyboard';
import { notifySuccess } from '@/lib/notify';
import { timeZones } from '@/lib/zones';
import { useBackupOptions, useCreateSchedule, usePreflightDraft, usePreviewRetention, useReplaceSchedule } from '../api';
import {
  CRON_PRESETS,
  CUSTOM_PRESET,
  INPUTS,
  cronOfPreset,
  mirrorOptions,
  newScheduleValues,
  presetOf,
  retentionPreviewRequest,
  scheduleRequest,
  scheduleValues,
  validateSchedule,
  type KeepCount,
  type ScheduleValues,
} from '../form';
import { CronPreviewPanel } from './CronPreviewPanel';
import { ExtraOptionsField } from './ExtraOptionsField';
import { HooksFieldset } from './HooksFieldset';
import { PreflightResult } from './PreflightResult';

const PRESET_OPTIONS = [...CRON_PRESETS.map((p) => ({ value: p.value, label: p.label })), { value: CUSTOM_PRESET, label: 'Custom: write the expression' }];

const MISSED_OPTIONS: { value: MissedRun; label: string }[] = [
  { value: 'run_once', label: 'Run it once when the agent is back' },
  { value: 'skip', label: 'Skip it and wait for the next one' },
];

const KEEP_FIELDS: { field: KeepCount; label: string }[] = [
  { field: 'keepLast', label: 'Keep last' },
  { field: 'keepHourly', label: 'Keep hourly' },
  { field: 'keepDaily', label: 'Keep daily' },
  { field: 'keepWeekly', label: 'Keep weekly' },
  { field: 'keepMonthly', label: 'Keep monthly' },
  { field: 'keepYearly', label: 'Keep yearly' },
];

/** The mirror select's "None" (a Select cannot hold null as an option's value). */
const NO_MIRROR = 'none';

const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };
const noSpellcheck = { spellCheck: false, autoCapitalize: 'off', autoComplete: 'off' } as const;

/**
 * "Preview retention": what the form's rules would keep and remove in its repository, asked of
 * this host's agent. Disabled, with why, while there are no rules or no repository; a result
 * whose rules changed since is dimmed until asked again.
 */
function RetentionPreviewControl({ host, values }: { host: Host; values: ScheduleValues }) {
  const preview = usePreviewRetention();
  const body = retentionPreviewRequest(values, host);
  const repositoryId = values.repositoryId;
  const requestKey = JSON.stringify([repositoryId, body]);
  const asked = preview.variables ? JSON.stringify([preview.variables.repositoryId, preview.variables.body]) : null;
  const hint = !body
    ? 'Set at least one rule to preview it.'
    : !repositoryId
      ? 'Choose the repository first.'
      : host.status !== 'online'
        ? `${host.hostname} is offline: its agent answers the preview.`
        : `Asks ${host.hostname}’s agent (restic forget --dry-run) about this host’s snapshots; nothing changes.`;
  return (
    <Stack gap="xs" data-testid="retention-preview-control">
      <Group gap="sm" wrap="wrap">
        <Button
          variant="light"
          size="xs"
          leftSection={<IconEye size={14} />}
          disabled={!body || !repositoryId}
          loading={preview.isPending}
          onClick={() => {
            if (body && repositoryId) preview.mutate({ repositoryId, body });
          }}
        >
          Preview retention
        </Button>
        <Text size="xs" c="dimmed" style={{ flex: '1 1 14rem' }} data-testid="retention-preview-hint">
          {hint}
        </Text>
      </Group>
      {preview.error ? <ErrorAlert error={preview.error} title="Could not preview the retention" /> : null}
      {preview.data ? <RetentionPreviewResult preview={preview.data} stale={asked !== requestKey} /> : null}
    </Stack>
  );
}

const HOOK_INPUTS = new Set(['hookPre', 'hookPost']);

/**
 * The field a refusal belongs on: the one `details.field` names, or the name for a taken name.
 * A hook's field only when its inputs are shown (else the message goes above the form).
 */
function fieldOfRefusal(error: unknown, hooksShown: boolean): string | undefined {
  if (error instanceof ApiError && error.code === 'schedule.name_taken') return 'name';
  const input = inputFor(error, INPUTS);
  return input && HOOK_INPUTS.has(input) && !hooksShown ? undefined : input;
}

interface FormProps {
  host: Host;
  repositories: Repository[];
  /** The schedule to edit; a new one when absent. */
  schedule?: Schedule;
  onDone: () => void;
}

function ScheduleForm({ host, repositories, schedule, onDone }: FormProps) {
  const formId = useId();
  const canPreview = usePermission('repos_maintain');
  // Hooks run as the agent's user: only schedules_hooks (admins) sees, sends or changes them.
  const canHooks = usePermission('schedules_hooks');
  const backupOptions = useBackupOptions();
  const create = useCreateSchedule(host.id, { checkAfter: true });
  const replace = useReplaceSchedule(host.id, { checkAfter: true });
  const draft = usePreflightDraft(host.id);
  const save = schedule ? replace : create;
  const linked = host.repository_ids.map((id) => ({ value: id, label: repositories.find((r) => r.id === id)?.name ?? id }));
  // A schedule's repository that was unlinked since stays visible (the server says what to do).
  if (schedule && !linked.some((r) => r.value === schedule.repository_id)) {
    linked.push({ value: schedule.repository_id, label: repositories.find((r) => r.id === schedule.repository_id)?.name ?? schedule.repository_id });
  }
  const form = useForm<ScheduleValues>({
    initialValues: schedule ? scheduleValues(schedule) : newScheduleValues(host.repository_ids),
    validate: (values) => validateSchedule(values, { withHooks: canHooks, options: backupOptions.data }),
  });
  const v = form.values;
  const names = new Map(repositories.map((r) => [r.id, r.name]));
  const mirrors = mirrorOptions(host.repository_ids, names, v.repositoryId, schedule?.copy_to);
  const repositoryInput = form.getInputProps('repositoryId');
  // Backing up to the chosen mirror would copy a repository onto itself: the mirror goes back to None.
  const chooseRepository = (id: string | null) => {
    form.setFieldValue('repositoryId', id);
    if (id && id === form.values.copyTo) form.setFieldValue('copyTo', null);
  };
  const zones = v.timezone && !timeZones().includes(v.timezone) ? [v.timezone, ...timeZones()] : timeZones();

  /** Brings the first field with an error into view and gives it the focus (keyboard users land on it). */
  const focusFirstError = () =>
    requestAnimationFrame(() => {
      const invalid = document.getElementById(formId)?.querySelector<HTMLElement>('[aria-invalid="true"], [data-field-error]');
      invalid?.scrollIntoView({ block: 'center' });
      invalid?.focus();
    });

  const handlers = {
    onSuccess: (saved: Schedule) => {
      notifySuccess(`${saved.name} saved; the agent receives it at its next poll.`);
      onDone();
    },
    onError: (error: Error) => {
      const field = fieldOfRefusal(error, canHooks);
      if (field) {
        form.setFieldError(field, error.message);
        focusFirstError();
      }
    },
  };
  const submit = form.onSubmit((values) => {
    const body = scheduleRequest(values, { withHooks: canHooks });
    if (schedule) replace.mutate({ id: schedule.id, body }, handlers);
    else create.mutate(body, handlers);
  }, focusFirstError);

  /** "Check": the schedule as written, asked of the server and the host's agent; nothing is stored. */
  const check = () => {
    const result = form.validate();
    if (result.hasErrors) {
      focusFirstError();
      return;
    }
    const body = scheduleRequest(form.values, { withHooks: canHooks });
    draft.mutate(schedule ? { schedule: body, schedule_id: schedule.id } : { schedule: body }, {
      onError: (error) => {
        const field = fieldOfRefusal(error, canHooks);
        if (field) {
          form.setFieldError(field, error.message);
          focusFirstError();
        }
      },
    });
  };
  const checkedKey = draft.variables ? JSON.stringify(draft.variables.schedule) : null;
  const currentKey = JSON.stringify(scheduleRequest(v, { withHooks: canHooks }));
  const draftFieldError = fieldOfRefusal(draft.error, canHooks) !== undefined;

  if (linked.length === 0) {
    return (
      <Stack gap="sm">
        <Alert color="blue" variant="light" title="No repository yet" icon={<IconInfoCircle size={18} />}>
          <Text size="sm">
            A schedule backs up to one of the host’s repositories. Link a repository to {host.hostname} on its Overview tab first.
          </Text>
        </Alert>
        <FormActions submitLabel="Create schedule" onCancel={onDone} loading={false} disabled />
      </Stack>
    );
  }

  const hostZone = host.timezone ?? 'UTC';
  const fieldError = fieldOfRefusal(save.error, canHooks) !== undefined;
  const keepError = form.errors.retention;

  return (
    <form id={formId} noValidate onSubmit={submit} onKeyDown={submitOnModEnter} aria-label={schedule ? `Edit ${schedule.name}` : 'New schedule'}>
      <Stack gap="md">
        {save.error && !fieldError ? <ErrorAlert error={save.error} title="Could not save the schedule" /> : null}

        <Fieldset legend="Schedule">
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput label="Name" placeholder="e.g. nightly" required data-autofocus {...noSpellcheck} {...form.getInputProps('name')} />
              <Select label="Repository" placeholder="Choose a repository" required data={linked} allowDeselect={false} {...repositoryInput} onChange={chooseRepository} />
            </SimpleGrid>
            <Radio.Group
              label="Runs"
              value={v.kind}
              onChange={(value) => form.setFieldValue('kind', value)}
            >
              <Group gap="lg" mt={6}>
                <Radio value="cron" label="On a schedule" />
                <Radio value="manual" label="Manually, only when asked (Run now)" />
              </Group>
            </Radio.Group>
            {v.kind === 'cron' ? (
              <>
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                  <Select
                    label="Preset"
                    description="Pick one, or write any expression"
                    data={PRESET_OPTIONS}
                    value={presetOf(v.cron)}
                    allowDeselect={false}
                    onChange={(value) => {
                      const cron = value ? cronOfPreset(value) : undefined;
                      if (cron) form.setFieldValue('cron', cron);
                    }}
                    data-testid="cron-preset"
                  />
                  <TextInput
                    label="Cron expression"
                    description="minute hour day-of-month month day-of-week, or @daily"
                    placeholder="0 3 * * *"
                    styles={mono}
                    {...noSpellcheck}
                    {...form.getInputProps('cron')}
                  />
                </SimpleGrid>
                <Select
                  label="Time zone"
                  description={
                    host.timezone
                      ? `Leave empty to use the host’s zone, ${host.timezone}.`
                      : 'Leave empty to use the host’s zone; its agent has not reported one, so UTC.'
                  }
                  placeholder={`The host’s zone (${hostZone})`}
                  data={zones}
                  searchable
                  clearable
                  limit={100}
                  nothingFoundMessage="No zone matches"
                  {...form.getInputProps('timezone')}
                />
                <CronPreviewPanel cron={v.cron} timezone={v.timezone} hostId={host.id} usesHostZone={!v.timezone} />
              </>
            ) : (
              <Text size="sm" c="dimmed" data-testid="manual-note">
                A manual schedule never runs by itself: it keeps the settings below for “Run now”.
              </Text>
            )}
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Select
                label="A run missed while the agent was stopped"
                data={MISSED_OPTIONS}
                allowDeselect={false}
                {...form.getInputProps('missed')}
              />
              <Switch
                label="Enabled"
                description="A disabled schedule is kept but never runs by itself."
                mt={{ base: 0, sm: 28 }}
                {...form.getInputProps('enabled', { type: 'checkbox' })}
              />
            </SimpleGrid>
          </Stack>
        </Fieldset>

        <Fieldset legend="What to back up">
          <Stack gap="sm">
            <Textarea
              label="Paths"
              description="Absolute paths on the host, one per line."
              placeholder={'/etc\n/home\n/var/lib/postgresql'}
              required
              autosize
              minRows={3}
              maxRows={10}
              styles={mono}
              {...noSpellcheck}
              {...form.getInputProps('paths')}
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Textarea
                label="Excludes"
                description="restic --exclude patterns, one per line."
                placeholder={'*.tmp\n/home/*/.cache'}
                autosize
                minRows={2}
                maxRows={8}
                styles={mono}
                {...noSpellcheck}
                {...form.getInputProps('excludes')}
              />
              <Textarea
                label="Exclude files"
                description="Files on the host listing more patterns, one per line."
                placeholder="/etc/restic/excludes"
                autosize
                minRows={2}
                maxRows={8}
                styles={mono}
                {...noSpellcheck}
                {...form.getInputProps('excludeFiles')}
              />
            </SimpleGrid>
            <TagsInput
              label="Tags"
              description="Added to each snapshot. Press Enter after each tag."
              placeholder="e.g. nightly"
              clearable
              splitChars={[',', ' ']}
              {...form.getInputProps('tags')}
            />
            <Switch
              label="Stay on one file system"
              description="restic --one-file-system: do not cross into other mounts under these paths."
              {...form.getInputProps('oneFileSystem', { type: 'checkbox' })}
            />
            <ExtraOptionsField
              value={v.extraOptions}
              onChange={(value) => form.setFieldValue('extraOptions', value)}
              error={form.errors.extraOptions as string | undefined}
              options={backupOptions.data}
              optionsError={backupOptions.isError}
            />
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <NumberInput
                label="Upload limit"
                description="KiB/s; empty for none."
                placeholder="No limit"
                rightSection={<Text size="xs" c="dimmed">KiB/s</Text>}
                rightSectionWidth={52}
                min={1}
                allowDecimal={false}
                allowNegative={false}
                hideControls
                {...form.getInputProps('limitUploadKib')}
              />
              <NumberInput
                label="Download limit"
                description="KiB/s; empty for none."
                placeholder="No limit"
                rightSection={<Text size="xs" c="dimmed">KiB/s</Text>}
                rightSectionWidth={52}
                min={1}
                allowDecimal={false}
                allowNegative={false}
                hideControls
                {...form.getInputProps('limitDownloadKib')}
              />
            </SimpleGrid>
          </Stack>
        </Fieldset>

        <Fieldset legend="Retention" data-testid="retention-fieldset">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              <code>restic forget</code> applies these rules: each rule keeps its own snapshots, and a snapshot any rule keeps
              stays. Leave them all empty to keep every snapshot.
            </Text>
            <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
              {KEEP_FIELDS.map(({ field, label }) => (
                <NumberInput key={field} label={label} placeholder="—" min={0} max={100_000} allowDecimal={false} allowNegative={false} {...form.getInputProps(field)} />
              ))}
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput
                label="Keep within"
                description="Everything newer than this: 30d, 1y6m, 12h."
                placeholder="e.g. 30d"
                styles={mono}
                {...noSpellcheck}
                {...form.getInputProps('keepWithin')}
              />
              <TagsInput
                label="Keep tags"
                description="Every snapshot with one of these tags."
                placeholder="e.g. keep"
                clearable
                splitChars={[',', ' ']}
                {...form.getInputProps('keepTags')}
              />
            </SimpleGrid>
            {canPreview ? <RetentionPreviewControl host={host} values={v} /> : null}
            {keepError ? (
              <Text size="sm" c="red" role="alert" data-field-error tabIndex={-1} data-testid="retention-error">
                {keepError}
              </Text>
            ) : null}
            <Switch
              label="Forget after backup"
              description="Run restic forget with these rules after each successful backup."
              {...form.getInputProps('forgetAfterBackup', { type: 'checkbox' })}
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Switch
                label="Prune after forget"
                description="Free the space forget released (restic prune)."
                disabled={!v.forgetAfterBackup}
                {...form.getInputProps('pruneAfterForget', { type: 'checkbox' })}
                checked={v.forgetAfterBackup && v.pruneAfterForget}
              />
              <TextInput
                label="Prune max unused"
                description="5%, 2G or unlimited; empty for restic’s default."
                placeholder="e.g. 5%"
                disabled={!(v.forgetAfterBackup && v.pruneAfterForget)}
                styles={mono}
                {...noSpellcheck}
                {...form.getInputProps('pruneMaxUnused')}
              />
            </SimpleGrid>
          </Stack>
        </Fieldset>

        <Fieldset legend="Copy to a mirror (3-2-1)" data-testid="copy-to-fieldset">
          <Stack gap="sm">
            <Select
              label="Copy to a mirror"
              description={
                mirrors.length > 0
                  ? 'After each successful backup (and its retention), this host’s new snapshots of the schedule are copied to a second repository (restic copy): a copy elsewhere if the first is lost.'
                  : `Link a second repository to ${host.hostname} (on its Overview tab) to copy each backup to it: a copy elsewhere if the first is lost.`
              }
              data={[{ value: NO_MIRROR, label: 'None' }, ...mirrors]}
              value={v.copyTo ?? NO_MIRROR}
              onChange={(value) => form.setFieldValue('copyTo', !value || value === NO_MIRROR ? null : value)}
              error={form.errors.copyTo}
              allowDeselect={false}
              disabled={mirrors.length === 0 && !v.copyTo}
              data-testid="copy-to-select"
            />
          </Stack>
        </Fieldset>

        <HooksFieldset form={form} canEdit={canHooks} hasHooks={schedule?.has_hooks ?? false} />

        <Fieldset legend="Check before saving" data-testid="preflight-fieldset">
          <Stack gap="xs">
            <Group gap="sm" wrap="wrap">
              <Button variant="light" size="xs" leftSection={<IconChecklist size={14} />} loading={draft.isPending} onClick={check}>
                Check
              </Button>
              <Text size="xs" c="dimmed" style={{ flex: '1 1 14rem' }}>
                The server checks the settings and {host.hostname}’s agent checks the paths, the repository, disk space and
                hooks, and shows the command it would run. Nothing is saved.
              </Text>
            </Group>
            {draft.error && !draftFieldError ? <ErrorAlert error={draft.error} title="Could not check the schedule" /> : null}
            {draft.data ? <PreflightResult report={draft.data} stale={checkedKey !== currentKey} /> : null}
          </Stack>
        </Fieldset>

        <Text size="xs" c="dimmed">
          Enter in a one-line field saves; Ctrl+Enter (⌘+Enter) saves from anywhere.
        </Text>
        <FormActions
          submitLabel={schedule ? 'Save schedule' : 'Create schedule'}
          onCancel={onDone}
          loading={save.isPending}
          icon={schedule ? <IconDeviceFloppy size={16} /> : <IconPlus size={16} />}
        />
      </Stack>
    </form>
  );
}

export function ScheduleEditor({ opened, onClose, ...props }: { opened: boolean; onClose: () => void } & Omit<FormProps, 'onDone'>) {
  const phone = useMediaQuery(PHONE_QUERY) ?? false;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={props.schedule ? `Edit ${props.schedule.name}` : `New schedule for ${props.host.hostname}`}
      size="xl"
      fullScreen={phone}
    >
      {opened ? <ScheduleForm {...props} onDone={onClose} /> : null}
    </Modal>
  );
}

// One care operation on a repository (forget, prune, check, unlock, stats), run by the agent of
// a linked, online host: choose the host, then the operation's few options. A forget can be
// previewed first; removing every lock is for admins and needs the repository's name typed.
// On success the job's page opens with the live log.
import { Alert, Button, Checkbox, Code, Group, NumberInput, Select, SimpleGrid, Stack, Switch, TagsInput, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle, IconEye, IconPlayerPlay } from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import type { Host, Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { RetentionPreviewResult } from '@/components/RetentionPreviewResult';
import { submitOnModEnter } from '@/lib/keyboard';
import { paths } from '@/lib/paths';
import { usePreviewRetention, useStartRepositoryJob } from '../api';
import { forgetPreviewRequest, newOperationValues, operationRequest, validateOperation, type Operation, type OperationValues } from '../jobForm';

export const OPERATION_LABEL: Record<Operation, string> = {
  forget: 'Forget (retention)',
  prune: 'Prune',
  check: 'Check',
  unlock: 'Unlock',
  stats: 'Stats',
};

const OPERATION_HELP: Record<Operation, string> = {
  forget: 'Removes the snapshots the policy does not keep (within the delete guard), optionally followed by a prune.',
  prune: 'Frees the space of data no snapshot uses any more. Takes an exclusive lock: backups of this repository wait.',
  check: 'Verifies the repository’s structure, and optionally reads a part of the data back.',
  unlock: 'Removes stale locks (older than 30 minutes, or whose process is gone). Live locks stay.',
  stats: 'Measures what restoring every snapshot would write and what the repository stores.',
};

const KEEPS: { field: keyof OperationValues; label: string }[] = [
  { field: 'keepLast', label: 'Keep last' },
  { field: 'keepHourly', label: 'Keep hourly' },
  { field: 'keepDaily', label: 'Keep daily' },
  { field: 'keepWeekly', label: 'Keep weekly' },
  { field: 'keepMonthly', label: 'Keep monthly' },
  { field: 'keepYearly', label: 'Keep yearly' },
];

const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };

interface Props {
  kind: Operation;
  repository: Repository;
  /** The linked hosts, online first. */
  hosts: Host[];
  /** May remove live locks too (repos_manage). */
  isAdmin: boolean;
  onCancel: () => void;
}

export function OperationForm({ kind, repository, hosts, isAdmin, onCancel }: Props) {
  const navigate = useNavigate();
  const start = useStartRepositoryJob(repository.id);
  const preview = usePreviewRetention(repository.id);
  const online = hosts.filter((h) => h.status === 'online');
  const form = useForm<OperationValues>({
    initialValues: newOperationValues(online.length === 1 ? (online[0]?.id ?? null) : null),
    validate: (v) => validateOperation(kind, v, repository.name),
  });
  const v = form.values;
  const previewBody = kind === 'forget' ? forgetPreviewRequest(v) : null;
  const submit = form.onSubmit((values) => {
    start.mutate(operationRequest(kind, values), { onSuccess: (job) => void navigate(paths.job(job.id)) });
  });

  return (
    <form noValidate onSubmit={submit} onKeyDown={submitOnModEnter} aria-label={OPERATION_LABEL[kind]}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {OPERATION_HELP[kind]}
        </Text>
        {online.length === 0 ? (
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="No linked host is online">
            <Text size="sm">
              A linked host’s agent runs it. Start the agent on one of them (<Code>systemctl start cairn-agent</Code>); it becomes
              selectable here as soon as it is back in touch.
            </Text>
          </Alert>
        ) : null}
        <ErrorAlert error={start.error} title={`Could not start ${OPERATION_LABEL[kind].toLowerCase()}`} />
        <Select
          label="Host"
          description="Its agent runs restic with the repository’s stored credentials."
          placeholder={online.length ? 'Choose a host' : 'No online host'}
          data={hosts.map((h) => ({ value: h.id, label: h.status === 'online' ? h.hostname : `${h.hostname} (offline)`, disabled: h.status !== 'online' }))}
          allowDeselect={false}
          required
          {...form.getInputProps('hostId')}
        />

        {kind === 'forget' ? (
          <>
            <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
              {KEEPS.map(({ field, label }) => (
                <NumberInput key={field} label={label} placeholder="—" min={0} max={100_000} allowDecimal={false} allowNegative={false} {...form.getInputProps(field)} />
              ))}
            </SimpleGrid>
            <TextInput label="Keep within" description="Everything newer than this: 30d, 1y6m." placeholder="e.g. 30d" styles={mono} {...form.getInputProps('keepWithin')} />
            {form.errors.policy ? (
              <Text size="sm" c="red" role="alert" data-testid="policy-error">
                {form.errors.policy}
              </Text>
            ) : null}
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput
                label="Only this host’s snapshots"
                description="A host name as restic records it; empty for every host’s."
                placeholder="e.g. web-01"
                styles={mono}
                {...form.getInputProps('hostFilter')}
              />
              <TagsInput label="Only snapshots tagged" description="All of these tags; empty for any." splitChars={[',', ' ']} {...form.getInputProps('tags')} />
            </SimpleGrid>
            <Switch label="Prune afterwards" description="Free the space forget released (restic prune)." {...form.getInputProps('prune', { type: 'checkbox' })} />
            {v.prune ? <TextInput label="Max unused" description="5%, 2G or unlimited; empty for restic’s default (5%)." styles={mono} {...form.getInputProps('maxUnused')} /> : null}
            <Group gap="sm">
              <Button
                variant="light"
                size="xs"
                leftSection={<IconEye size={14} />}
                disabled={!previewBody}
                loading={preview.isPending}
                onClick={() => {
                  if (previewBody) preview.mutate(previewBody);
                }}
              >
                Preview retention
              </Button>
              {!previewBody ? (
                <Text size="xs" c="dimmed">
                  Choose a host and set a rule to preview.
                </Text>
              ) : null}
            </Group>
            {preview.error ? <ErrorAlert error={preview.error} title="Could not preview the retention" /> : null}
            {preview.data ? <RetentionPreviewResult preview={preview.data} /> : null}
          </>
        ) : null}

        {kind === 'prune' ? (
          <>
            <TextInput label="Max unused" description="5%, 2G or unlimited; empty for restic’s default (5%)." placeholder="e.g. 5%" styles={mono} {...form.getInputProps('maxUnused')} />
            <TextInput
              label="Max repack size"
              description="At most this much is repacked in one run (500M, 2G); empty for no limit."
              placeholder="e.g. 2G"
              styles={mono}
              {...form.getInputProps('maxRepackSize')}
            />
            <Checkbox label="Repack cacheable packs only" description="For backends where reading data back costs money." {...form.getInputProps('repackCacheableOnly', { type: 'checkbox' })} />
            <Checkbox label="Repack small packs too" description="Packs below 80 % of the target size." {...form.getInputProps('repackSmall', { type: 'checkbox' })} />
            <Checkbox label="Repack uncompressed data" description="Compresses old data (repository format 2 only)." {...form.getInputProps('repackUncompressed', { type: 'checkbox' })} />
          </>
        ) : null}

        {kind === 'check' ? (
          <TextInput
            label="Read data subset"
            description="Also read this much data back: 10%, 1/5 or 500M. Empty checks the structure only."
            placeholder="e.g. 10%"
            styles={mono}
            {...form.getInputProps('readDataSubset')}
          />
        ) : null}

        {kind === 'unlock' && isAdmin ? (
          <Stack gap="xs">
            <Switch
              label="Remove all locks, live ones too"
              description="Only when you know their owner is gone (e.g. a host destroyed mid-backup): a running backup or prune loses its lock."
              color="red"
              {...form.getInputProps('removeAll', { type: 'checkbox' })}
            />
            {v.removeAll ? (
              <TextInput label={`Type ${repository.name} to confirm`} autoComplete="off" {...form.getInputProps('confirmName')} />
            ) : null}
          </Stack>
        ) : null}

        <FormActions
          submitLabel={`Start ${OPERATION_LABEL[kind].toLowerCase()}`}
          onCancel={onCancel}
          loading={start.isPending}
          disabled={online.length === 0 || (kind === 'unlock' && v.removeAll && v.confirmName.trim() !== repository.name)}
          icon={<IconPlayerPlay size={16} />}
        />
      </Stack>
    </form>
  );
}

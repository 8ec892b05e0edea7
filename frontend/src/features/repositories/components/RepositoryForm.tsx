// Create / edit a repository. Credentials are write-only: on edit the password field starts
// empty (empty keeps the current one) and existing variables are listed by name only.
import {
  ActionIcon,
  Button,
  Chip,
  Code,
  Divider,
  Group,
  Input,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useRef } from 'react';
import type { Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { useCreateRepository, useUpdateRepository } from '../api';
import {
  buildCreateRequest,
  buildUpdateRequest,
  emptyValues,
  validateRepository,
  type Mode,
  type RepositoryValues,
} from '../form';

const URL_FORMS: [string, string][] = [
  ['/srv/backups/restic', 'a path on the host'],
  ['sftp:user@host:/path', 'SSH'],
  ['rest:https://host:8000/repo', 'REST server'],
  ['s3:s3.amazonaws.com/bucket/path', 'S3 or compatible'],
  ['b2:bucket:path', 'Backblaze B2 (also azure:, gs:, swift:, rclone:)'],
];

/** Spans only: it renders inside the input's description paragraph. */
function UrlHelp() {
  return (
    <span data-testid="url-help">
      <span style={{ display: 'block' }}>A local path or a restic backend:</span>
      {URL_FORMS.map(([form, what]) => (
        <span key={form} style={{ display: 'block', paddingLeft: 8 }}>
          <Code fz="xs">{form}</Code> {what}
        </span>
      ))}
    </span>
  );
}

interface Props {
  mode: Mode;
  repository?: Repository;
  onDone: (repo: Repository) => void;
  onCancel: () => void;
}

export function RepositoryForm({ mode, repository, onDone, onCancel }: Props) {
  const create = useCreateRepository();
  const update = useUpdateRepository();
  const mutation = mode === 'create' ? create : update;
  const nextId = useRef(1);
  const form = useForm<RepositoryValues>({
    initialValues: emptyValues(repository),
    validate: (values) => validateRepository(values, mode),
  });
  const existing = repository?.env_keys ?? [];

  const submit = form.onSubmit((values) => {
    if (mode === 'create') create.mutate(buildCreateRequest(values), { onSuccess: onDone });
    else if (repository) update.mutate({ id: repository.id, body: buildUpdateRequest(repository, values) }, { onSuccess: onDone });
  });

  const addRow = () => form.insertListItem('env', { id: nextId.current++, key: '', value: '' });
  const toggleRemove = (key: string) =>
    form.setFieldValue(
      'remove',
      form.values.remove.includes(key) ? form.values.remove.filter((k) => k !== key) : [...form.values.remove, key],
    );

  return (
    <form noValidate onSubmit={submit}>
      <Stack gap="sm">
        <TextInput
          label="Name"
          placeholder="e.g. office-nas"
          data-autofocus
          autoComplete="off"
          withAsterisk
          {...form.getInputProps('name')}
        />
        <TextInput
          label="URL"
          placeholder="/srv/backups/restic"
          description={<UrlHelp />}
          inputWrapperOrder={['label', 'input', 'description', 'error']}
          autoComplete="off"
          spellCheck={false}
          withAsterisk
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          {...form.getInputProps('url')}
        />
        <PasswordInput
          label={mode === 'create' ? 'Repository password' : 'New repository password'}
          description={
            mode === 'create'
              ? 'restic encrypts the repository with it. Keep a copy somewhere safe: without it the backups cannot be read.'
              : 'Leave empty to keep the current password.'
          }
          placeholder={mode === 'edit' ? 'Leave empty to keep the current password' : undefined}
          autoComplete="new-password"
          withAsterisk={mode === 'create'}
          {...form.getInputProps('password')}
        />

        <Divider mt="xs" />
        <Input.Wrapper
          label="Environment variables"
          description="Credentials for the backend, e.g. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for S3. Stored encrypted; values are never shown again."
          error={form.errors.env}
        >
          <Stack gap="xs" mt={6}>
            {mode === 'edit' && existing.length > 0 ? (
              <Stack gap={6} data-testid="existing-env">
                <Text size="xs" c="dimmed">
                  Set now (click to mark for removal):
                </Text>
                <Group gap={6}>
                  {existing.map((key) => {
                    const removed = form.values.remove.includes(key);
                    return (
                      <Chip
                        key={key}
                        size="xs"
                        color="red"
                        variant={removed ? 'filled' : 'outline'}
                        checked={removed}
                        onChange={() => toggleRemove(key)}
                        aria-label={removed ? `Keep ${key}` : `Remove ${key}`}
                        icon={<IconTrash size={12} />}
                        styles={{ label: { fontFamily: 'var(--mantine-font-family-monospace)', textDecoration: removed ? 'line-through' : undefined } }}
                      >
                        {key}
                      </Chip>
                    );
                  })}
                </Group>
                {form.values.remove.length > 0 ? (
                  <Text size="xs" c="red">
                    Will be removed: {form.values.remove.join(', ')}
                  </Text>
                ) : null}
              </Stack>
            ) : null}
            {form.values.env.map((row, i) => (
              <Group key={row.id} gap="xs" align="flex-start" wrap="nowrap" data-testid="env-row">
                <TextInput
                  aria-label={`Variable ${i + 1} name`}
                  placeholder="NAME"
                  autoComplete="off"
                  spellCheck={false}
                  style={{ flex: '1 1 45%' }}
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                  {...form.getInputProps(`env.${i}.key`)}
                  onChange={(e) => form.setFieldValue(`env.${i}.key`, e.currentTarget.value.toUpperCase())}
                />
                <PasswordInput
                  aria-label={`Variable ${i + 1} value`}
                  placeholder="value"
                  autoComplete="new-password"
                  style={{ flex: '1 1 55%' }}
                  {...form.getInputProps(`env.${i}.value`)}
                />
                <Tooltip label="Remove this row">
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    mt={4}
                    aria-label={`Remove variable ${i + 1}`}
                    onClick={() => form.removeListItem('env', i)}
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Tooltip>
              </Group>
            ))}
            <Group gap="xs">
              <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={addRow}>
                Add variable
              </Button>
              {mode === 'edit' && existing.length > 0 ? (
                <Text size="xs" c="dimmed">
                  Adding a name that is already set replaces its value.
                </Text>
              ) : null}
            </Group>
          </Stack>
        </Input.Wrapper>

        <ErrorAlert error={mutation.error} title={mode === 'create' ? 'Could not add the repository' : 'Could not save the repository'} />
        <FormActions
          submitLabel={mode === 'create' ? 'Add repository' : 'Save changes'}
          onCancel={onCancel}
          loading={mutation.isPending}
        />
      </Stack>
    </form>
  );
}

// "Run backup now": which repository, which paths (one per line, absolute), excludes and tags.
// Checked before sending; on success the job's page opens; a refusal says what to do next
// (a running job is linked, an offline host or an unlinked repository is named).
import { Alert, Anchor, Button, Group, Modal, Select, Stack, TagsInput, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle, IconPlayerPlay } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router';
import { ApiError, detailOf, inputFor } from '@/api/errors';
import type { Host, Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { excludesRule, lines, pathsRule, tagsRule } from '@/lib/backupRules';
import { submitOnModEnter } from '@/lib/keyboard';
import { paths } from '@/lib/paths';
import { useCreateBackup } from '../jobs-api';

export interface BackupValues {
  repositoryId: string | null;
  paths: string;
  excludes: string;
  tags: string[];
}

/** The request's fields → the form's inputs, for a refusal that names its field. */
const INPUTS: Record<string, keyof BackupValues> = { paths: 'paths', excludes: 'excludes', tags: 'tags', repository_id: 'repositoryId' };

function runningJobId(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.code !== 'job.already_running') return undefined;
  const jobId = detailOf(error, 'job_id');
  return typeof jobId === 'string' ? jobId : undefined;
}

/** A refusal the person can act on, or the generic error alert. */
function Refusal({ error, host }: { error: unknown; host: Host }) {
  if (!(error instanceof ApiError)) return <ErrorAlert error={error} title="Could not start the backup" />;
  const titles: Record<string, string> = {
    'job.already_running': 'A backup is already running',
    'host.offline': `${host.hostname} is offline`,
    'job.repository_not_linked': 'This repository is not linked to the host',
  };
  const title = titles[error.code];
  if (!title) return <ErrorAlert error={error} title="Could not start the backup" />;
  const jobId = runningJobId(error);
  return (
    <Alert color="orange" variant="light" role="alert" title={title} icon={<IconAlertTriangle size={18} />} data-testid="backup-refusal">
      <Text size="sm">{error.message}</Text>
      {jobId ? (
        <Anchor component={Link} to={paths.job(jobId)} size="sm" fw={600} mt={4} display="inline-block">
          Open the running job
        </Anchor>
      ) : null}
    </Alert>
  );
}

interface FormProps {
  host: Host;
  repositories: Repository[];
  onCancel: () => void;
}

function RunBackupForm({ host, repositories, onCancel }: FormProps) {
  const navigate = useNavigate();
  const create = useCreateBackup(host.id);
  const linked = host.repository_ids.map((id) => ({ value: id, label: repositories.find((r) => r.id === id)?.name ?? id }));
  const form = useForm<BackupValues>({
    initialValues: { repositoryId: linked.length === 1 ? (linked[0]?.value ?? null) : null, paths: '', excludes: '', tags: [] },
    validate: {
      repositoryId: (v) => (v ? null : 'Choose the repository to back up to'),
      paths: pathsRule,
      excludes: excludesRule,
      tags: tagsRule,
    },
  });

  const submit = form.onSubmit((v) =>
    create.mutate(
      {
        repository_id: v.repositoryId ?? '',
        paths: lines(v.paths),
        excludes: lines(v.excludes),
        tags: v.tags.map((t) => t.trim()).filter(Boolean),
      },
      {
        onSuccess: (job) => void navigate(paths.job(job.id)),
        onError: (error) => {
          // A rule broken at the edge (request.invalid_body) or in the domain (job.invalid_backup).
          const input = inputFor(error, INPUTS);
          if (input) form.setFieldError(input, error.message);
        },
      },
    ),
  );

  const fieldError = inputFor(create.error, INPUTS) !== undefined;

  if (linked.length === 0) {
    return (
      <Stack gap="sm">
        <Alert color="blue" variant="light" title="No repository yet">
          <Text size="sm">
            Link a repository to {host.hostname} in the Repositories section of this page first; the agent then receives its
            credentials and can back up to it.
          </Text>
        </Alert>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Close
          </Button>
        </Group>
      </Stack>
    );
  }

  return (
    <form
      noValidate
      onSubmit={submit}
      aria-label="Run backup"
      // Enter adds a line in the text areas; Ctrl/Cmd+Enter sends from anywhere in the form.
      onKeyDown={submitOnModEnter}
    >
      <Stack gap="sm">
        {host.status !== 'online' ? (
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} p="xs">
            <Text size="sm">
              {host.hostname} looks offline: the server refuses a backup until its agent is back in touch.
            </Text>
          </Alert>
        ) : null}
        {!fieldError ? <Refusal error={create.error} host={host} /> : null}
        <Select
          label="Repository"
          placeholder="Choose a repository"
          data={linked}
          allowDeselect={false}
          data-autofocus={linked.length > 1 ? true : undefined}
          {...form.getInputProps('repositoryId')}
        />
        <Textarea
          label="Paths"
          description="Absolute paths on the host, one per line."
          placeholder={'/etc\n/home\n/var/lib/postgresql'}
          rows={4}
          resize="vertical"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          data-autofocus={linked.length > 1 ? undefined : true}
          {...form.getInputProps('paths')}
        />
        <Textarea
          label="Excludes"
          description="Optional restic --exclude patterns, one per line (e.g. *.tmp or /home/*/.cache)."
          placeholder={'*.tmp\n/home/*/.cache'}
          rows={3}
          resize="vertical"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          {...form.getInputProps('excludes')}
        />
        <TagsInput
          label="Tags"
          description="Optional; added to the snapshot. Press Enter after each tag."
          placeholder="e.g. manual"
          clearable
          splitChars={[',', ' ']}
          {...form.getInputProps('tags')}
        />
        <Text size="xs" c="dimmed">
          Ctrl+Enter (⌘+Enter) starts the backup from any field.
        </Text>
        <FormActions submitLabel="Start backup" onCancel={onCancel} loading={create.isPending} icon={<IconPlayerPlay size={16} />} />
      </Stack>
    </form>
  );
}

export function RunBackupModal({ opened, onClose, host, repositories }: { opened: boolean; onClose: () => void } & Omit<FormProps, 'onCancel'>) {
  return (
    <Modal opened={opened} onClose={onClose} title={`Back up ${host.hostname} now`} size="lg">
      {opened ? <RunBackupForm host={host} repositories={repositories} onCancel={onClose} /> : null}
    </Modal>
  );
}

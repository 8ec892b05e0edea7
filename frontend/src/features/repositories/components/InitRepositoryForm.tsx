// "Initialize" a repository: `restic init` at its URL, run by the agent of a host linked to it
// (only online ones can). Without such a host it says what to do first; on success the job's
// page opens with the live log; a refusal says what to do next (a running job is linked).
import { Alert, Anchor, Button, Code, Group, Select, Skeleton, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle, IconDatabasePlus } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, detailOf } from '@/api/errors';
import type { Host, Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { submitOnModEnter } from '@/lib/keyboard';
import { paths } from '@/lib/paths';
import { useInitRepository, useLinkedHosts } from '../api';

interface Props {
  repository: Repository;
  onCancel: () => void;
}

function runningJobId(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.code !== 'job.already_running') return undefined;
  const jobId = detailOf(error, 'job_id');
  return typeof jobId === 'string' ? jobId : undefined;
}

/** A refusal the person can act on (the server's message says what to do), or the generic alert. */
function Refusal({ error }: { error: unknown }) {
  const titles: Record<string, string> = {
    'job.already_running': 'A job on this host and repository is still running',
    'host.offline': 'That host is offline',
    'job.repository_not_linked': 'The repository is no longer linked to that host',
  };
  const title = error instanceof ApiError ? titles[error.code] : undefined;
  if (!title) return <ErrorAlert error={error} title="Could not start the initialization" />;
  const jobId = runningJobId(error);
  return (
    <Alert color="orange" variant="light" role="alert" title={title} icon={<IconAlertTriangle size={18} />} data-testid="init-refusal">
      <Text size="sm">{(error as ApiError).message}</Text>
      {jobId ? (
        <Anchor component={Link} to={paths.job(jobId)} size="sm" fw={600} mt={4} display="inline-block">
          Open the running job
        </Anchor>
      ) : null}
    </Alert>
  );
}

function CloseOnly({ onCancel }: { onCancel: () => void }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Close
      </Button>
    </Group>
  );
}

function hostOption(h: Host) {
  return { value: h.id, label: h.status === 'online' ? h.hostname : `${h.hostname} (offline)`, disabled: h.status !== 'online' };
}

function InitForm({ repository, hosts, onCancel }: Props & { hosts: Host[] }) {
  const navigate = useNavigate();
  const init = useInitRepository(repository.id);
  const online = hosts.filter((h) => h.status === 'online');
  // The hosts load after the dialog opened (and took focus), so focus moves here when they
  // appear: to the host field when there is a choice to make, else to the button (Enter starts).
  const formRef = useRef<HTMLFormElement>(null);
  const hostInput = useRef<HTMLInputElement>(null);
  const [chosen] = useState(online.length === 1); // decided once: later polls must not move focus
  useEffect(() => {
    if (chosen) formRef.current?.querySelector<HTMLButtonElement>('button[type="submit"]')?.focus();
    else hostInput.current?.focus();
  }, [chosen]);
  const form = useForm<{ hostId: string | null }>({
    initialValues: { hostId: chosen ? (online[0]?.id ?? null) : null },
    validate: { hostId: (v) => (v ? null : 'Choose the host that runs restic init') },
  });
  const submit = form.onSubmit((v) => init.mutate(v.hostId ?? '', { onSuccess: (job) => void navigate(paths.job(job.id)) }));

  return (
    <form
      ref={formRef}
      noValidate
      onSubmit={submit}
      aria-label="Initialize repository"
      // Enter in the host field opens its list, so Ctrl/Cmd+Enter sends from anywhere (as in Run backup).
      onKeyDown={submitOnModEnter}
    >
      <Stack gap="sm">
        {online.length === 0 ? (
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="No linked host is online" data-testid="init-no-online-host">
            <Text size="sm">
              Start the agent on one of them (<Code>systemctl start cairn-agent</Code>); it becomes selectable here as soon as it
              is back in touch.
            </Text>
          </Alert>
        ) : null}
        <Refusal error={init.error} />
        <Select
          label="Host"
          description="Its agent runs restic init with the repository's stored password. Only online hosts linked to this repository can."
          placeholder={online.length ? 'Choose a host' : 'No online host'}
          data={hosts.map(hostOption)}
          allowDeselect={false}
          searchable={hosts.length > 8}
          nothingFoundMessage="No linked host matches"
          ref={hostInput}
          {...form.getInputProps('hostId')}
        />
        <Text size="xs" c="dimmed">
          Ctrl+Enter (⌘+Enter) starts it from the host field.
        </Text>
        <FormActions
          submitLabel="Initialize repository"
          onCancel={onCancel}
          loading={init.isPending}
          disabled={online.length === 0}
          icon={<IconDatabasePlus size={16} />}
        />
      </Stack>
    </form>
  );
}

export function InitRepositoryForm({ repository, onCancel }: Props) {
  const linked = useLinkedHosts(repository.id);
  return (
    <Stack gap="sm">
      <Text size="sm">
        Creates a new, empty restic repository at <Code style={{ wordBreak: 'break-all' }}>{repository.url}</Code> with its
        stored password. Do this once, before the first backup; restic refuses to initialize a repository that already exists,
        so nothing is overwritten.
      </Text>
      <ErrorAlert error={linked.error} title="Could not load the hosts" />
      {linked.isPending ? <Skeleton height={60} aria-label="Loading hosts" /> : null}
      {linked.data && linked.data.hosts.length === 0 ? (
        <>
          <Alert color="blue" variant="light" title="No host is linked to this repository yet" data-testid="init-no-host">
            <Text size="sm">
              A host's agent runs restic init, so link one first: open a host under{' '}
              <Anchor component={Link} to={paths.hosts()} size="sm">
                Hosts
              </Anchor>{' '}
              and add {repository.name} in its Repositories section, then come back here.
            </Text>
          </Alert>
          <CloseOnly onCancel={onCancel} />
        </>
      ) : null}
      {linked.data && linked.data.hosts.length > 0 ? <InitForm repository={repository} hosts={linked.data.hosts} onCancel={onCancel} /> : null}
      {linked.isError ? <CloseOnly onCancel={onCancel} /> : null}
    </Stack>
  );
}

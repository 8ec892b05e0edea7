// "Copy to mirror": copy this repository's snapshots into a second repository (restic copy),
// run by the agent of a host that has both linked. Choose the host, the mirror (repositories
// the host has not linked are shown but disabled), and optionally a host name and tags to
// copy only some snapshots. The job belongs to the mirror; on success its page opens.
import { Alert, Anchor, Code, Select, SimpleGrid, Skeleton, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle, IconCopy, IconInfoCircle } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router';
import type { Host, Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { submitOnModEnter } from '@/lib/keyboard';
import { paths } from '@/lib/paths';
import { useRepositories, useStartCopy } from '../api';
import { copyRequest, defaultMirror, mirrorChoices, newCopyValues, validateCopy, type CopyValues } from '../copies';

const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };

interface Props {
  /** The source: its snapshots are copied. */
  repository: Repository;
  /** The hosts linked to it, online first. */
  hosts: Host[];
  onCancel: () => void;
}

export function CopyForm(props: Props) {
  const repositories = useRepositories();
  if (repositories.error) return <ErrorAlert error={repositories.error} title="Could not load the repositories" />;
  if (!repositories.data) return <Skeleton height={160} aria-label="Loading repositories" />;
  return <CopyFormLoaded {...props} repositories={repositories.data.items} />;
}

function CopyFormLoaded({ repository, hosts, repositories, onCancel }: Props & { repositories: Repository[] }) {
  const navigate = useNavigate();
  const start = useStartCopy();
  const online = hosts.filter((h) => h.status === 'online');
  const hostOf = (id: string | null) => hosts.find((h) => h.id === id);
  const firstHost = online.length === 1 ? (online[0]?.id ?? null) : null;
  const form = useForm<CopyValues>({
    initialValues: newCopyValues(firstHost, defaultMirror(mirrorChoices(repository.id, repositories, hostOf(firstHost)))),
    validate: (v) => validateCopy(v, mirrorChoices(repository.id, repositories, hostOf(v.hostId))),
  });
  const v = form.values;
  const host = hostOf(v.hostId);
  const choices = mirrorChoices(repository.id, repositories, host);

  const submit = form.onSubmit((values) => {
    if (!values.mirrorId) return;
    start.mutate({ mirrorId: values.mirrorId, body: copyRequest(repository.id, values) }, { onSuccess: (job) => void navigate(paths.job(job.id)) });
  });

  // A mirror the newly chosen host has not linked cannot be kept: offer its only linked one instead.
  const hostInput = form.getInputProps('hostId');
  const chooseHost = (id: string | null) => {
    form.setFieldValue('hostId', id);
    const next = mirrorChoices(repository.id, repositories, hostOf(id));
    if (!next.some((c) => c.linked && c.repository.id === form.values.mirrorId)) form.setFieldValue('mirrorId', defaultMirror(next));
  };

  if (choices.length === 0) {
    return (
      <Stack gap="sm">
        <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} title="No second repository yet" data-testid="copy-no-mirror">
          <Text size="sm">
            A copy needs a second repository to copy to, ideally somewhere else (another disk, site or cloud). Add one under{' '}
            <Anchor component={Link} to={paths.repositories()} size="sm">
              Repositories
            </Anchor>{' '}
            and link it to a host that has {repository.name} linked too.
          </Text>
        </Alert>
        <FormActions submitLabel="Start copy" onCancel={onCancel} loading={false} disabled />
      </Stack>
    );
  }

  const hostName = host?.hostname ?? 'the host';
  return (
    <form noValidate onSubmit={submit} onKeyDown={submitOnModEnter} aria-label="Copy to mirror">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Copies the snapshots the mirror does not hold yet from {repository.name} into it (restic copy), so a second copy lives
          elsewhere. Snapshots already copied are skipped; the mirror keeps its own password.
        </Text>
        {online.length === 0 ? (
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="No linked host is online">
            <Text size="sm">
              A linked host’s agent runs it. Start the agent on one of them (<Code>systemctl start cairn-agent</Code>); it becomes
              selectable here as soon as it is back in touch.
            </Text>
          </Alert>
        ) : null}
        <ErrorAlert error={start.error} title="Could not start the copy" />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Select
            label="Host"
            description="Its agent runs restic; it needs both repositories linked."
            placeholder={online.length ? 'Choose a host' : 'No online host'}
            data={hosts.map((h) => ({ value: h.id, label: h.status === 'online' ? h.hostname : `${h.hostname} (offline)`, disabled: h.status !== 'online' }))}
            allowDeselect={false}
            required
            {...hostInput}
            onChange={chooseHost}
          />
          <Select
            label="Mirror"
            description={host ? `A repository ${hostName} has linked, to copy to.` : 'Choose the host first: it needs the mirror linked too.'}
            placeholder="Choose the repository to copy to"
            data={choices.map((c) => ({
              value: c.repository.id,
              label: c.linked || !host ? c.repository.name : `${c.repository.name} (not linked to ${hostName})`,
              disabled: !c.linked,
            }))}
            allowDeselect={false}
            searchable={choices.length > 8}
            required
            {...form.getInputProps('mirrorId')}
          />
        </SimpleGrid>
        {host && !choices.some((c) => c.linked) ? (
          <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} data-testid="copy-host-no-mirror">
            <Text size="sm">
              {hostName} has no other repository linked. Link the mirror to it in the Repositories section of{' '}
              <Anchor component={Link} to={paths.host(host.id)} size="sm">
                its page
              </Anchor>
              , or choose another host.
            </Text>
          </Alert>
        ) : null}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label="Only this host’s snapshots"
            description="A host name as restic records it; empty for every host’s."
            placeholder="e.g. web-01"
            styles={mono}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            {...form.getInputProps('hostFilter')}
          />
          <TagsInput label="Only snapshots tagged" description="All of these tags; empty for any." splitChars={[',', ' ']} {...form.getInputProps('tags')} />
        </SimpleGrid>
        <FormActions
          submitLabel="Start copy"
          onCancel={onCancel}
          loading={start.isPending}
          disabled={online.length === 0}
          icon={<IconCopy size={16} />}
        />
      </Stack>
    </form>
  );
}

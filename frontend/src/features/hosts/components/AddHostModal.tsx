// "Add host": create a one-time enrollment token, show the install command (and the server's
// certificate when it is self-signed, which the agent pins), then wait for the agent (polling
// for hosts created since the token) and turn into a success state when the new host appears.
import {
  Anchor,
  Button,
  Card,
  Divider,
  Group,
  List,
  Loader,
  Modal,
  Select,
  Stack,
  TagsInput,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconArrowRight, IconCircleCheck, IconTerminal2 } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import type { CreatedEnrollmentToken, Host } from '@/api/types';
import { CommandBlock } from '@/components/CommandBlock';
import { ErrorAlert } from '@/components/ErrorAlert';
import { useServerInfo } from '@/lib/auth';
import { formatDateTime, formatRelative } from '@/lib/format';
import { paths } from '@/lib/paths';
import { hostTagsRule } from '@/lib/validation';
import { useCreateEnrollmentToken, useFleetTags, useNewHosts, useRepositoryChoices } from '../api';
import { Fingerprint } from './Fingerprint';
import { osArch } from './HostsTable';
import { ServerCertificate } from './ServerCertificate';
import { StatusDot } from './StatusDot';

export const LIFETIMES = [
  { value: '900', label: '15 minutes' },
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '24 hours' },
  { value: '604800', label: '7 days' },
] as const;

export function announceCommand(serverUrl: string, pin?: string): string {
  return `cairn-agent enroll --server ${serverUrl} --announce${pin ? ` --pin ${pin}` : ''}`;
}

/**
 * The certificate the agent must pin, when the server's own is self-signed: the token's `pin`,
 * else the server info's (a certificate from files is trusted the usual way, with no pin).
 */
export function usePinnedCertificate(created: CreatedEnrollmentToken): { pin: string; hex?: string } | null {
  const tls = useServerInfo().data?.tls;
  const pin = created.pin ?? (tls?.mode === 'self_signed' ? tls.fingerprint : undefined);
  if (!pin) return null;
  return { pin, hex: tls?.fingerprint === pin ? tls.fingerprint_hex : undefined };
}

function TokenForm({ onCreated }: { onCreated: (created: CreatedEnrollmentToken) => void }) {
  const create = useCreateEnrollmentToken();
  const repos = useRepositoryChoices();
  const fleetTags = useFleetTags();
  const [ttl, setTtl] = useState<string>('3600');
  const [tags, setTags] = useState<string[]>([]);
  const [repositoryId, setRepositoryId] = useState<string | null>(null);
  const repoItems = repos.data?.items ?? [];
  const tagsError = hostTagsRule(tags);

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (tagsError) return;
        create.mutate(
          { ttl_secs: Number(ttl), tags, repository_id: repositoryId ?? undefined },
          { onSuccess: onCreated },
        );
      }}
    >
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Cairn makes a one-time enrollment token and the command to run on the host. The agent enrolls with it and
          shows up here a moment later.
        </Text>
        <Select
          label="Token lifetime"
          description="The command stops working after this, or once a host has used it."
          data={LIFETIMES.map((l) => ({ ...l }))}
          value={ttl}
          onChange={(v) => setTtl(v ?? '3600')}
          allowDeselect={false}
          data-autofocus
        />
        <TagsInput
          label="Tags"
          description="Optional; given to the new host. Press Enter after each tag."
          placeholder="e.g. web, prod"
          data={fleetTags.data ?? []}
          value={tags}
          onChange={setTags}
          error={tagsError}
          clearable
        />
        <Select
          label="Initial repository"
          description={
            repos.data && repoItems.length === 0
              ? 'No repositories yet: add one under Repositories, or link it later on the host’s page.'
              : 'Optional; where this host will back up. You can change it later.'
          }
          placeholder={repos.isPending ? 'Loading…' : 'None'}
          data={repoItems.map((r) => ({ value: r.id, label: r.name }))}
          value={repositoryId}
          onChange={setRepositoryId}
          clearable
          disabled={repoItems.length === 0}
        />
        <ErrorAlert error={create.error} title="Could not create the enrollment token" />
        <Group justify="flex-end" mt="sm">
          <Button type="submit" loading={create.isPending} leftSection={<IconTerminal2 size={16} />}>
            Create install command
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Waiting() {
  return (
    <Card withBorder radius="md" padding="md" data-testid="add-host-waiting" aria-live="polite">
      <Group gap="md" wrap="nowrap">
        <Loader size="sm" />
        <div>
          <Text fw={600}>Waiting for the agent…</Text>
          <Text size="sm" c="dimmed">
            Run the command on the host; this updates by itself as soon as it enrolls. You can also close this
            window: the host appears in the list either way.
          </Text>
        </div>
      </Group>
    </Card>
  );
}

function Enrolled({ host, onOpen }: { host: Host; onOpen: () => void }) {
  return (
    <Card
      withBorder
      radius="md"
      padding="md"
      data-testid="add-host-done"
      aria-live="polite"
      bg="var(--mantine-color-teal-light)"
    >
      <Stack gap="sm">
        <Group gap="sm" wrap="nowrap">
          <ThemeIcon color="teal" radius="xl" size="lg">
            <IconCircleCheck size={20} />
          </ThemeIcon>
          <div>
            <Text fw={650}>
              <span data-testid="add-host-done-hostname">{host.hostname}</span> enrolled
            </Text>
            <Text size="sm" c="dimmed">
              {osArch(host)} · agent {host.agent_version}
            </Text>
          </div>
        </Group>
        <Group gap="xs" wrap="nowrap">
          <StatusDot status={host.status} withLabel />
          {host.status === 'offline' ? (
            <Text size="sm" c="dimmed">
              (online once <code>cairn-agent run</code> starts)
            </Text>
          ) : null}
        </Group>
        <div>
          <Text size="xs" c="dimmed" mb={2}>
            Key fingerprint
          </Text>
          <Fingerprint value={host.fingerprint} />
        </div>
        <Group>
          <Button component={Link} to={paths.host(host.id)} onClick={onOpen} rightSection={<IconArrowRight size={16} />}>
            Open host
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function InstallSteps({
  created,
  pollInterval,
  onOpenHost,
  onAnother,
}: {
  created: CreatedEnrollmentToken;
  pollInterval: number;
  onOpenHost: () => void;
  onAnother: () => void;
}) {
  const firstTag = created.token.tags[0] ?? null;
  const newHosts = useNewHosts(created.token.created_at, firstTag, pollInterval);
  const host = newHosts.data?.[0] ?? null;
  const certificate = usePinnedCertificate(created);

  return (
    <Stack gap="md">
      <Stack gap={6}>
        <Title order={4} fz="md">
          1. Prepare the host
        </Title>
        <List size="sm" spacing={4}>
          <List.Item>
            Install <b>restic</b> (e.g. <code>apt install restic</code>, <code>dnf install restic</code> or{' '}
            <code>brew install restic</code>).
          </List.Item>
          <List.Item>
            Download the <b>cairn-agent</b> binary for the host’s OS and architecture and put it on the PATH (e.g.{' '}
            <code>/usr/local/bin/cairn-agent</code>).
          </List.Item>
        </List>
      </Stack>
      <Stack gap={6}>
        <Title order={4} fz="md">
          2. Run this on the host
        </Title>
        <CommandBlock command={created.install_command} label="install command" testId="install-command" />
        <Text size="xs" c="dimmed">
          Run it as the user whose files you back up (root for a whole server). The token works once and expires{' '}
          <span title={formatDateTime(created.token.expires_at, true)}>{formatRelative(created.token.expires_at)}</span>.
          It is shown only now.
        </Text>
      </Stack>
      {certificate ? <ServerCertificate fingerprint={certificate.pin} hex={certificate.hex} /> : null}

      <ErrorAlert error={newHosts.error} title="Could not check for the new host" />
      {host ? <Enrolled host={host} onOpen={onOpenHost} /> : <Waiting />}

      {/* Once a host enrolled, the alternative is just noise. */}
      {!host ? (
        <>
          <Divider label="or, without a token" labelPosition="center" />
          <Stack gap={6}>
            <Text size="sm">Start the agent in announce mode; it waits until an administrator accepts it:</Text>
            <CommandBlock
              command={announceCommand(created.server_url, certificate?.pin)}
              label="announce command"
              testId="announce-command"
            />
            <Text size="xs" c="dimmed">
              The agent prints its key fingerprint. The host then shows under “waits for approval” on the Hosts page,
              where an administrator compares the fingerprint and accepts it.
            </Text>
          </Stack>
        </>
      ) : null}

      {host ? (
        <Group justify="flex-end">
          <Anchor component="button" type="button" size="sm" onClick={onAnother}>
            Add another host
          </Anchor>
        </Group>
      ) : null}
    </Stack>
  );
}

export function AddHostFlow({ pollInterval = 2000, onOpenHost }: { pollInterval?: number; onOpenHost: () => void }) {
  const [created, setCreated] = useState<CreatedEnrollmentToken | null>(null);
  if (!created) return <TokenForm onCreated={setCreated} />;
  return (
    <InstallSteps
      key={created.token.id}
      created={created}
      pollInterval={pollInterval}
      onOpenHost={onOpenHost}
      onAnother={() => setCreated(null)}
    />
  );
}

export function AddHostModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  return (
    <Modal opened={opened} onClose={onClose} title="Add host" size="lg" fullScreen={phone}>
      {opened ? <AddHostFlow onOpenHost={onClose} /> : null}
    </Modal>
  );
}

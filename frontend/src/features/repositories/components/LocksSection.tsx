// Who holds locks in the repository, read now through a linked host's agent (`restic list
// locks`; operators and admins). It waits for the agent, up to ~20 s, so it is read only when
// asked ("Check locks"), never on a timer. A stale lock points at the Unlock operation.
import { Alert, Anchor, Badge, Button, Card, Group, Loader, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconInfoCircle, IconLock, IconLockOpen } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Host, Repository, RepositoryLock, RepositoryLocks } from '@/api/types';
import { PHONE_QUERY } from '@/components/DataTable';
import { ErrorAlert } from '@/components/ErrorAlert';
import { RelativeTime } from '@/components/RelativeTime';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { useCheckLocks } from '../careApi';


interface Props {
  repository: Repository;
  /** The linked hosts: one of them reads the locks. */
  hosts: Host[];
  /** Opens the Unlock operation (it removes stale locks). */
  onUnlock?: () => void;
}

function LockRow({ lock }: { lock: RepositoryLock }) {
  return (
    <Table.Tr data-testid="lock-row" data-stale={lock.stale}>
      <Table.Td>
        {lock.host_id ? (
          <Anchor component={Link} to={paths.host(lock.host_id)} size="sm" ff="monospace" data-testid="lock-host-link">
            {lock.hostname}
          </Anchor>
        ) : (
          <Text size="sm" ff="monospace">
            {lock.hostname}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {lock.pid}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {lock.username}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Badge size="sm" variant="light" color={lock.exclusive ? 'grape' : 'blue'} tt="none" data-testid="lock-mode">
          {lock.exclusive ? 'exclusive' : 'shared'}
        </Badge>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <RelativeTime value={lock.since} />
      </Table.Td>
      <Table.Td>
        {lock.stale ? (
          <Badge size="sm" variant="light" color="orange" tt="none" style={{ whiteSpace: 'normal', height: 'auto' }} data-testid="lock-stale">
            stale: Unlock removes it
          </Badge>
        ) : (
          <Text size="sm" c="dimmed">
            live
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        {lock.job_id ? (
          <Anchor component={Link} to={paths.job(lock.job_id)} size="sm" ff="monospace" data-testid="lock-job-link">
            job {lock.job_id.slice(0, 8)}
          </Anchor>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function LocksResult({ result, onUnlock }: { result: RepositoryLocks; onUnlock?: () => void }) {
  const phone = useMediaQuery(PHONE_QUERY) ?? false;
  const via = (
    <>
      read through{' '}
      <Anchor component={Link} to={paths.host(result.via_host_id)} size="sm">
        {result.via_hostname}
      </Anchor>{' '}
      at {formatDateTime(result.checked_at, true)}
    </>
  );
  if (result.locks.length === 0) {
    return (
      <Group gap={8} wrap="nowrap" align="flex-start" data-testid="locks-none">
        <IconLockOpen size={18} style={{ flexShrink: 0, marginTop: 2 }} color="var(--mantine-color-teal-6)" />
        <Text size="sm">Not locked ({via}).</Text>
      </Group>
    );
  }
  const stale = result.locks.filter((l) => l.stale).length;
  return (
    <Stack gap="xs">
      <Text size="sm" data-testid="locks-summary">
        {result.locks.length === 1 ? '1 lock' : `${result.locks.length} locks`}, oldest first ({via}).
      </Text>
      <Table.ScrollContainer minWidth={phone ? 0 : 640}>
        <Table verticalSpacing="xs" data-testid="locks-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Host</Table.Th>
              <Table.Th>PID</Table.Th>
              <Table.Th>User</Table.Th>
              <Table.Th>Mode</Table.Th>
              <Table.Th>Since</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Job</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {result.locks.map((lock, i) => (
              <LockRow key={`${lock.hostname}-${lock.pid}-${lock.since}-${i}`} lock={lock} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {stale > 0 ? (
        <Alert color="orange" variant="light" icon={<IconInfoCircle size={18} />} p="xs" data-testid="locks-stale-hint">
          <Group gap="xs" justify="space-between">
            <Text size="sm" style={{ flex: '1 1 16rem' }}>
              {stale === 1 ? 'A stale lock' : `${stale} stale locks`} (older than 30 minutes, or whose process is gone) can block backups
              and maintenance. The Unlock operation removes stale locks and leaves live ones in place.
            </Text>
            {onUnlock ? (
              <Button size="xs" variant="default" onClick={onUnlock}>
                Unlock…
              </Button>
            ) : null}
          </Group>
        </Alert>
      ) : null}
    </Stack>
  );
}

export function LocksSection({ repository, hosts, onUnlock }: Props) {
  const locks = useCheckLocks(repository.id);
  const [hostId, setHostId] = useState<string | null>(null);
  const online = hosts.filter((h) => h.status === 'online');
  return (
    <Card withBorder radius="md" padding="lg" data-testid="repository-locks">
      <Stack gap="sm">
        <div>
          <Title order={3} fz="h4">
            Locks
          </Title>
          <Text size="sm" c="dimmed">
            Who holds the repository now, as a linked host’s agent reads it. Asking takes up to 20 seconds.
          </Text>
        </div>
        <Group gap="xs" align="end" wrap="wrap">
          {online.length > 1 ? (
            <Select
              label="Read through"
              placeholder="Any online linked host"
              data={online.map((h) => ({ value: h.id, label: h.hostname }))}
              value={hostId}
              onChange={setHostId}
              clearable
              w={{ base: '100%', sm: 260 }}
            />
          ) : null}
          <Button
            variant="default"
            leftSection={<IconLock size={16} />}
            loading={locks.isPending}
            disabled={hosts.length === 0}
            onClick={() => locks.mutate(hostId)}
          >
            {locks.data ? 'Check locks again' : 'Check locks'}
          </Button>
        </Group>
        {locks.isPending ? (
          <Group gap="xs" data-testid="locks-loading" aria-live="polite">
            <Loader size="xs" />
            <Text size="sm" c="dimmed">
              Asking the agent to list the locks…
            </Text>
          </Group>
        ) : null}
        {!locks.isPending ? <ErrorAlert error={locks.error} title="Could not read the locks" /> : null}
        {!locks.isPending && locks.data ? <LocksResult result={locks.data} onUnlock={onUnlock} /> : null}
        {locks.isIdle ? (
          <Text size="sm" c="dimmed" data-testid="locks-idle">
            {hosts.length === 0
              ? 'Locks are read through a linked host: link a host to this repository first.'
              : 'Not read yet. Check locks when a backup or an operation reports the repository is locked.'}
          </Text>
        ) : null}
      </Stack>
    </Card>
  );
}

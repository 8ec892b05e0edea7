// A repository's key rotation: where one under way stands (adding, waiting for the linked
// hosts, removing the old key), or for admins a form that starts one through an online host.
// The old key keeps working until every linked host has the new password.
import { Alert, Button, Group, Select, Stack, Text } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Host, Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { RelativeTime } from '@/components/RelativeTime';
import { paths } from '@/lib/paths';
import { useRotateKey } from '../api';

const STEP: Record<string, string> = {
  adding: 'Adding the new key through a linked host.',
  waiting: 'The new key is in place; every linked host is taking the new password. The old key keeps working until each has it.',
  removing: 'Every linked host has the new password; the old key is being removed.',
  remove_failed: 'Removing the old key failed: it still opens the repository. Start the rotation again to retry the removal.',
};

interface Props {
  repository: Repository;
  /** The linked hosts. */
  hosts: Host[];
  /** May start a rotation (repos_manage). */
  canRotate: boolean;
}

export function KeyRotationSection({ repository, hosts, canRotate }: Props) {
  const navigate = useNavigate();
  const rotate = useRotateKey(repository.id);
  const online = hosts.filter((h) => h.status === 'online');
  const [hostId, setHostId] = useState<string | null>(null);
  const chosen = hostId ?? (online.length === 1 ? (online[0]?.id ?? null) : null);
  const r = repository.key_rotation;
  const retry = r?.state === 'remove_failed';

  return (
    <Stack gap="sm">
      {r ? (
        <Alert color={retry ? 'red' : 'blue'} variant="light" icon={<IconKey size={18} />} data-testid="key-rotation-state" data-state={r.state}>
          <Text size="sm">{STEP[r.state] ?? r.state}</Text>
          {r.started_at ? (
            <Text size="xs" c="dimmed">
              Started <RelativeTime value={r.started_at} />.
            </Text>
          ) : null}
        </Alert>
      ) : (
        <Text size="sm" c="dimmed" data-testid="key-rotation-idle">
          Rotating the key gives the repository a new random password. Hosts keep backing up throughout: the old key works until every
          linked host has the new one, offline hosts included.
        </Text>
      )}
      {canRotate && (!r || retry) ? (
        <>
          <ErrorAlert error={rotate.error} title="Could not start the rotation" />
          <Group gap="xs" align="end" wrap="wrap">
            <Select
              label="Through host"
              description="A linked, online host’s agent runs restic key add."
              placeholder={online.length === 0 ? 'No linked host is online' : 'Choose a host'}
              data={online.map((h) => ({ value: h.id, label: h.hostname }))}
              value={chosen}
              onChange={setHostId}
              disabled={online.length === 0}
              w={{ base: '100%', sm: 260 }}
            />
            <Button
              variant="default"
              leftSection={<IconKey size={16} />}
              disabled={!chosen}
              loading={rotate.isPending}
              onClick={() => {
                if (chosen) rotate.mutate(chosen, { onSuccess: (job) => void navigate(paths.job(job.id)) });
              }}
            >
              {retry ? 'Retry removing the old key' : 'Rotate key'}
            </Button>
          </Group>
        </>
      ) : null}
    </Stack>
  );
}

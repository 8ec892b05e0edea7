// Delete confirmation: the hostname must be typed, and the consequence is spelled out.
import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Host } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { useDeleteHost } from '../api';

export function DeleteHostForm({ host, onDone, onCancel }: { host: Host; onDone: () => void; onCancel: () => void }) {
  const remove = useDeleteHost();
  const [typed, setTyped] = useState('');
  const matches = typed.trim() === host.hostname;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (matches) remove.mutate(host.id, { onSuccess: onDone });
      }}
    >
      <Stack gap="sm">
        <Text size="sm">
          This removes <b>{host.hostname}</b> from Cairn. The agent’s key stops working immediately: its next request
          is refused, and the host must enroll again to come back. Snapshots already in the repositories are not
          touched.
        </Text>
        <ErrorAlert error={remove.error} title="Could not delete the host" />
        <TextInput
          label={`Type ${host.hostname} to confirm`}
          data-autofocus
          autoComplete="off"
          spellCheck={false}
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
        />
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" color="red" disabled={!matches} loading={remove.isPending}>
            Delete host
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

// Delete confirmation: the username must be typed, so a slip of the mouse deletes nothing.
import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { User } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { useDeleteUser } from '../api';

export function DeleteUserForm({ user, onDone, onCancel }: { user: User; onDone: () => void; onCancel: () => void }) {
  const remove = useDeleteUser();
  const [typed, setTyped] = useState('');
  const matches = typed.trim() === user.username;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (matches) remove.mutate(user.id, { onSuccess: onDone });
      }}
    >
      <Stack gap="sm">
        <Text size="sm">
          This permanently deletes <b>{user.username}</b> and signs them out everywhere; their API tokens stop
          working. Their entries in the audit log are kept. To keep the account but block sign-in, disable it
          instead.
        </Text>
        <ErrorAlert error={remove.error} title="Could not delete the user" />
        <TextInput
          label={`Type ${user.username} to confirm`}
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
            Delete user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

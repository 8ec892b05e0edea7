// Delete confirmation. The server refuses (409 repository.in_use) while hosts use the
// repository; its message says which, and is shown as is.
import { Button, Code, Group, Stack, Text } from '@mantine/core';
import type { Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { useDeleteRepository } from '../api';

export function DeleteRepositoryForm({ repository, onDone, onCancel }: { repository: Repository; onDone: () => void; onCancel: () => void }) {
  const remove = useDeleteRepository();
  return (
    <Stack gap="sm">
      <Text size="sm">
        Cairn forgets <b>{repository.name}</b> (<Code>{repository.url}</Code>) and its stored credentials. The data in
        the repository itself is not deleted.
      </Text>
      <ErrorAlert error={remove.error} title="Could not delete the repository" />
      <Group justify="flex-end" mt="sm">
        <Button variant="default" onClick={onCancel} data-autofocus>
          Cancel
        </Button>
        <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(repository.id, { onSuccess: onDone })}>
          Delete repository
        </Button>
      </Group>
    </Stack>
  );
}

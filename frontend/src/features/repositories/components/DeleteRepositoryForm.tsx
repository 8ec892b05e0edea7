// Deleting a repository drops its stored credentials, so its name must be typed. The server
// refuses (409 repository.in_use) while hosts use it; its message says which, shown as is.
import { Code } from '@mantine/core';
import type { Repository } from '@/api/types';
import { ConfirmDeleteForm } from '@/components/ConfirmDeleteForm';
import { useDeleteRepository } from '../api';

export function DeleteRepositoryForm({ repository, onDone, onCancel }: { repository: Repository; onDone: () => void; onCancel: () => void }) {
  const remove = useDeleteRepository();
  return (
    <ConfirmDeleteForm
      name={repository.name}
      confirmLabel="Delete repository"
      onConfirm={() => remove.mutate(repository.id, { onSuccess: onDone })}
      onCancel={onCancel}
      pending={remove.isPending}
      error={remove.error}
      errorTitle="Could not delete the repository"
    >
      Cairn forgets <b>{repository.name}</b> (<Code>{repository.url}</Code>) and its stored credentials: keep the
      password somewhere else if you still need the backups. The data in the repository itself is not deleted.
    </ConfirmDeleteForm>
  );
}

// Deleting a user signs them out everywhere and revokes their API tokens; the username must be typed.
import type { User } from '@/api/types';
import { ConfirmDeleteForm } from '@/components/ConfirmDeleteForm';
import { useDeleteUser } from '../api';

export function DeleteUserForm({ user, onDone, onCancel }: { user: User; onDone: () => void; onCancel: () => void }) {
  const remove = useDeleteUser();
  return (
    <ConfirmDeleteForm
      name={user.username}
      confirmLabel="Delete user"
      onConfirm={() => remove.mutate(user.id, { onSuccess: onDone })}
      onCancel={onCancel}
      pending={remove.isPending}
      error={remove.error}
      errorTitle="Could not delete the user"
    >
      This permanently deletes <b>{user.username}</b> and signs them out everywhere; their API tokens stop working.
      Their entries in the audit log are kept. To keep the account but block sign-in, disable it instead.
    </ConfirmDeleteForm>
  );
}

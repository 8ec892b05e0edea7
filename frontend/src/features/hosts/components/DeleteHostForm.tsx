// Deleting a host: its agent's key stops working at once; the hostname must be typed.
import type { Host } from '@/api/types';
import { ConfirmDeleteForm } from '@/components/ConfirmDeleteForm';
import { useDeleteHost } from '../api';

export function DeleteHostForm({ host, onDone, onCancel }: { host: Host; onDone: () => void; onCancel: () => void }) {
  const remove = useDeleteHost();
  return (
    <ConfirmDeleteForm
      name={host.hostname}
      confirmLabel="Delete host"
      onConfirm={() => remove.mutate(host.id, { onSuccess: onDone })}
      onCancel={onCancel}
      pending={remove.isPending}
      error={remove.error}
      errorTitle="Could not delete the host"
    >
      This removes <b>{host.hostname}</b> from Cairn. The agent’s key stops working immediately: its next request is
      refused, and the host must enroll again to come back. Snapshots already in the repositories are not touched.
    </ConfirmDeleteForm>
  );
}

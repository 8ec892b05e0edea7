// Deleting a schedule: what goes (its future runs, from the agent too) and what stays (its jobs
// and the snapshots they made), then the name typed to confirm.
import type { Host, Schedule } from '@/api/types';
import { ConfirmDeleteForm } from '@/components/ConfirmDeleteForm';
import { useDeleteSchedule } from '../api';

export function DeleteScheduleForm({ host, schedule, onCancel, onDone }: { host: Host; schedule: Schedule; onCancel: () => void; onDone: () => void }) {
  const remove = useDeleteSchedule(host.id);
  return (
    <ConfirmDeleteForm
      name={schedule.name}
      confirmLabel="Delete schedule"
      onConfirm={() => remove.mutate(schedule.id, { onSuccess: onDone })}
      onCancel={onCancel}
      pending={remove.isPending}
      error={remove.error}
      errorTitle="Could not delete the schedule"
    >
      {schedule.name} stops running on {host.hostname}; its agent drops it at its next poll. The jobs it ran and the snapshots
      they made stay.
    </ConfirmDeleteForm>
  );
}

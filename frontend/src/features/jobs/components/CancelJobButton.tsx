// "Cancel" for a job that has not ended, behind a confirmation that says what cancelling does.
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconPlayerStop } from '@tabler/icons-react';
import { useState } from 'react';
import type { Job } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { notifySuccess } from '@/lib/notify';
import { useCancelJob } from '../api';

export function CancelJobButton({ job }: { job: Job }) {
  const [confirming, setConfirming] = useState(false);
  const cancel = useCancelJob();
  const requested = !!job.cancel_requested_at;
  return (
    <>
      <Button
        color="red"
        variant="light"
        leftSection={<IconPlayerStop size={16} />}
        onClick={() => setConfirming(true)}
        disabled={requested}
      >
        {requested ? 'Cancelling…' : 'Cancel job'}
      </Button>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Cancel this job?">
        <Stack gap="sm">
          <Text size="sm">
            {job.status === 'running'
              ? 'The agent stops restic; no snapshot is made. Data already uploaded stays in the repository until the next prune.'
              : 'The job has not started yet; it is removed from the queue.'}
          </Text>
          <ErrorAlert error={cancel.error} title="Could not cancel" />
          <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setConfirming(false)} data-autofocus>
                Keep running
              </Button>
              <Button
                color="red"
                loading={cancel.isPending}
                onClick={() =>
                  cancel.mutate(job.id, {
                    onSuccess: () => {
                      setConfirming(false);
                      notifySuccess('Cancel requested; the job ends once the agent has stopped restic.');
                    },
                  })
                }
              >
                Yes, cancel job
              </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

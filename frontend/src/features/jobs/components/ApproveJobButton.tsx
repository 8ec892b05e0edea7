// "Approve this run" for a forget the delete guard blocked (admins: repos_manage), behind a
// confirmation that says how many snapshots, and which, the new run will remove. The server
// starts a new forget past the guard; its page opens.
import { Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Job } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { shortId } from '@/components/ForgetReportTable';
import { notifySuccess } from '@/lib/notify';
import { paths } from '@/lib/paths';
import { useApproveJob } from '../api';

/** Short ids listed in the confirmation before "and N more". */
const IDS_SHOWN = 12;

export function ApproveJobButton({ job }: { job: Job }) {
  const [confirming, setConfirming] = useState(false);
  const approve = useApproveJob();
  const navigate = useNavigate();
  const remove = job.result?.forget?.remove ?? [];
  const n = remove.length;
  return (
    <>
      <Group>
        <Button color="grape" leftSection={<IconCircleCheck size={16} />} onClick={() => setConfirming(true)}>
          Approve this run
        </Button>
      </Group>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Approve this forget past the delete guard?">
        <Stack gap="sm">
          <Text size="sm" data-testid="approve-summary">
            A new forget with the same policy runs past the guard and removes {n} {n === 1 ? 'snapshot' : 'snapshots'}
            {job.repository_name ? ` from ${job.repository_name}` : ''}. This cannot be undone; the audit log records your
            approval.
          </Text>
          {n > 0 ? (
            <Text size="sm" data-testid="approve-ids" style={{ overflowWrap: 'anywhere' }}>
              {remove.slice(0, IDS_SHOWN).map((s, i) => (
                <span key={s.id}>
                  {i > 0 ? ' ' : ''}
                  <Code>{shortId(s.id)}</Code>
                </span>
              ))}
              {n > IDS_SHOWN ? ` and ${n - IDS_SHOWN} more` : ''}
            </Text>
          ) : null}
          <ErrorAlert error={approve.error} title="Could not approve" />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setConfirming(false)} data-autofocus>
              Keep blocked
            </Button>
            <Button
              color="grape"
              loading={approve.isPending}
              onClick={() =>
                approve.mutate(job.id, {
                  onSuccess: (next) => {
                    setConfirming(false);
                    notifySuccess('Approved; the new forget runs past the delete guard.');
                    void navigate(paths.job(next.id));
                  },
                })
              }
            >
              Remove {n} {n === 1 ? 'snapshot' : 'snapshots'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

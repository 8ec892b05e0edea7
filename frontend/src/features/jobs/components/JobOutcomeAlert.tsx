// Why a job did not simply succeed, in words a person can act on: the failure class and
// message (with what a hook, preflight or failed-check class means), the files restic could
// not read, a stale repository lock, or a pending cancel.
import { Alert, Anchor, Code, List, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleX, IconClockPause, IconHandStop, IconLock, IconPlugConnectedX } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Job } from '@/api/types';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';

/** Unreadable paths listed before "and N more". */
const UNREADABLE_SHOWN = 20;

/** The next step for the common failure classes (the server's message says what happened). */
const ADVICE: Record<string, string> = {
  'restic.wrong_password': 'Check the repository password on the Repositories page; the agent receives the change at its next poll.',
  'restic.repo_missing': 'There is no restic repository at that URL yet, or the URL is wrong: initialize it or fix the URL.',
  'restic.not_runnable': 'The agent could not start restic: install restic on the host (or fix its path in the agent config).',
  'agent.unknown_repository': 'The agent does not know this repository yet: wait until the host page says its configuration is in sync, then run it again.',
  'restic.locked': 'Another restic process holds a lock on the repository. If no backup is running, the lock is stale and can be removed.',
  'restic.network': 'The host could not reach the repository: check its network, DNS and firewall, then run it again.',
  'agent.lost': 'The agent stopped reporting on this job (it restarted, or the host went away). Run the backup again.',
  'agent.restarted': 'The agent restarted while the job ran. Run the backup again.',
  'job.lease_expired': 'It ran too long, or its host went away; it was failed so the repository’s other jobs can run. Once its lock is stale, unlock the repository.',
};

/**
 * What the classes of schedules' hooks, the agent's preflight and a failed check mean, and
 * what to do: these say more than the message alone.
 */
function explanation(job: Job, errorClass: string | undefined): ReactNode {
  switch (errorClass) {
    case 'hook_failed':
      return job.status === 'failed'
        ? 'The pre-hook failed; the backup did not run. What the hook printed is in the log, marked [hook].'
        : 'The post-hook failed; the backup itself finished. What the hook printed is in the log, marked [hook].';
    case 'preflight.failed':
      return 'Blocked by the agent’s preflight: restic did not run. Fix what the findings below say (or check the schedule again), then run it.';
    case 'check.failed':
      return (
        <>
          Held: the repository’s last check found errors; run a check that passes. Forget and prune wait until one does, so
          nothing a repair may need is deleted.
          {job.repository_id ? (
            <>
              {' '}
              <Anchor component={Link} to={paths.repository(job.repository_id)} size="sm">
                Open {job.repository_name ?? 'the repository'}
              </Anchor>
            </>
          ) : null}
        </>
      );
    default:
      return null;
  }
}

function Explanation({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <Text size="sm" data-testid="job-explanation">
      {children}
    </Text>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Text size="sm">
      <Text span fw={600}>
        {label}:
      </Text>{' '}
      {children}
    </Text>
  );
}

function StaleLock({ lock }: { lock: string }) {
  return (
    <Alert color="orange" variant="light" icon={<IconLock size={18} />} title="A repository lock may be left behind" data-testid="stale-lock">
      <Stack gap={4}>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {lock}
        </Text>
        <Text size="sm" c="dimmed">
          Other backups of this repository fail while it is held. Remove it only once no restic process uses the repository
          (e.g. <Code>restic unlock</Code> on a host linked to it).
        </Text>
      </Stack>
    </Alert>
  );
}

export function JobOutcomeAlert({ job }: { job: Job }) {
  const unreadable = job.result?.unreadable ?? [];
  const staleLock = job.result?.stale_lock;
  const errorClass = job.error_class ?? job.result?.error_class;
  const message = job.error_message ?? job.result?.message;
  const advice = errorClass ? ADVICE[errorClass] : undefined;
  const explained = explanation(job, errorClass);

  let main: ReactNode = null;
  if (job.status === 'failed' || job.status === 'lost') {
    const failed = job.status === 'failed';
    main = (
      <Alert
        color={failed ? 'red' : 'orange'}
        variant="light"
        role="alert"
        icon={failed ? <IconCircleX size={20} /> : <IconPlugConnectedX size={20} />}
        title={failed ? `${kindNoun(job)} failed` : 'Lost track of this job'}
        data-testid="job-outcome"
        data-outcome={job.status}
      >
        <Stack gap={6}>
          <Text size="sm" data-testid="job-error-message" style={{ whiteSpace: 'pre-wrap' }}>
            {message ?? (failed ? 'restic exited with an error; the log below has the details.' : 'The agent stopped reporting on it.')}
          </Text>
          <Explanation>{explained}</Explanation>
          {advice ? <Text size="sm">{advice}</Text> : null}
          <Text size="xs" c="dimmed">
            {errorClass ? <Code data-testid="job-error-class">{errorClass}</Code> : null}
            {job.exit_code !== undefined ? ` · exit code ${job.exit_code}` : ''}
          </Text>
        </Stack>
      </Alert>
    );
  } else if (job.status === 'warning') {
    main = (
      <Alert
        color="yellow"
        variant="light"
        role="alert"
        icon={<IconAlertTriangle size={20} />}
        title={errorClass === 'hook_failed' ? 'Finished with warnings: the post-hook failed' : 'Finished with warnings: the snapshot is incomplete'}
        data-testid="job-outcome"
        data-outcome="warning"
      >
        <Stack gap={6}>
          <Text size="sm" data-testid="job-error-message">
            {message ?? 'restic could not read some files; everything else was saved.'}
          </Text>
          <Explanation>{explained}</Explanation>
          {unreadable.length > 0 ? (
            <>
              <Field label="Could not read">
                {unreadable.length} {unreadable.length === 1 ? 'path' : 'paths'} (permissions, or the file vanished while
                being read)
              </Field>
              <List size="sm" spacing={2} data-testid="unreadable-paths" styles={{ itemLabel: { fontFamily: 'var(--mantine-font-family-monospace)', overflowWrap: 'anywhere' } }}>
                {unreadable.slice(0, UNREADABLE_SHOWN).map((p) => (
                  <List.Item key={p}>{p}</List.Item>
                ))}
              </List>
              {unreadable.length > UNREADABLE_SHOWN ? (
                <Text size="sm" c="dimmed">
                  …and {unreadable.length - UNREADABLE_SHOWN} more; the raw result below lists them all.
                </Text>
              ) : null}
            </>
          ) : null}
          {errorClass ? (
            <Text size="xs" c="dimmed">
              <Code>{errorClass}</Code>
            </Text>
          ) : null}
        </Stack>
      </Alert>
    );
  } else if (job.status === 'queued' && job.waiting_for) {
    main = (
      <Alert color="blue" variant="light" icon={<IconClockPause size={20} />} title="Queued: waiting for another job" data-testid="job-outcome" data-outcome="waiting">
        <Text size="sm">
          This job would collide with{' '}
          <Anchor component={Link} to={paths.job(job.waiting_for)}>
            job {job.waiting_for.slice(0, 8)}
          </Anchor>{' '}
          on the same repository (restic cannot prune or check while a backup runs, nor the other way round). It starts
          as soon as that one ends.
        </Text>
      </Alert>
    );
  } else if (job.status === 'blocked') {
    const report = job.result?.forget;
    main = (
      <Alert
        color="grape"
        variant="light"
        role="alert"
        icon={<IconHandStop size={20} />}
        title={job.kind === 'backup' ? 'Blocked: the backup did not run' : errorClass === 'check.failed' ? 'Held: nothing was removed' : 'Blocked: nothing was removed'}
        data-testid="job-outcome"
        data-outcome="blocked"
      >
        <Stack gap={6}>
          <Text size="sm" data-testid="job-error-message">
            {message ?? 'A guard stopped this job before it changed anything.'}
          </Text>
          <Explanation>{explained}</Explanation>
          {report ? (
            <Text size="sm" data-testid="blocked-report">
              It would have removed {report.remove.length} and kept {report.keep.length}{' '}
              {report.keep.length === 1 ? 'snapshot' : 'snapshots'}. An admin can approve this one run; otherwise change
              the policy or the repository&apos;s delete guard.
            </Text>
          ) : null}
          {errorClass ? (
            <Text size="xs" c="dimmed">
              <Code>{errorClass}</Code>
            </Text>
          ) : null}
        </Stack>
      </Alert>
    );
  } else if (job.status === 'cancelled') {
    main = (
      <Alert color="gray" variant="light" icon={<IconHandStop size={20} />} title="Cancelled" data-testid="job-outcome" data-outcome="cancelled">
        <Text size="sm">
          Stopped on request{job.cancel_requested_at ? ` at ${formatDateTime(job.cancel_requested_at, true)}` : ''}. No snapshot
          was made; data already uploaded stays in the repository until the next prune.
        </Text>
      </Alert>
    );
  } else if (job.cancel_requested_at) {
    main = (
      <Alert color="gray" variant="light" icon={<IconHandStop size={20} />} title="Cancelling…" data-testid="job-outcome" data-outcome="cancelling">
        <Text size="sm">Cancel was requested; the job ends once the agent has stopped restic.</Text>
      </Alert>
    );
  }

  if (!main && !staleLock) return null;
  return (
    <Stack gap="sm">
      {main}
      {staleLock ? <StaleLock lock={staleLock} /> : null}
    </Stack>
  );
}

function kindNoun(job: Job): string {
  switch (job.kind) {
    case 'backup':
      return 'Backup';
    case 'init':
      return 'Initializing the repository';
    case 'snapshots':
      return 'Refreshing snapshots';
    case 'forget':
      return 'Retention';
    case 'prune':
      return 'Prune';
    case 'check':
      return 'Check';
    case 'unlock':
      return 'Unlock';
    case 'stats':
      return 'Stats';
    case 'key_add':
      return 'Adding the repository key';
    case 'key_remove':
      return 'Removing the old repository key';
    case 'copy':
      return 'Copy to the mirror';
    case 'restore':
      return 'Restore';
    case 'drill':
      return 'Restore drill';
  }
}

// Words and colors for job states and kinds, shared by the jobs pages and the host page
// (features cannot import each other, so the vocabulary lives here).
import type { Job, JobKind, JobState } from '@/api/types';

interface StateMeta {
  label: string;
  color: string;
  /** One sentence for tooltips and screen readers. */
  help: string;
}

export const JOB_STATE_META: Record<JobState, StateMeta> = {
  queued: { label: 'Queued', color: 'gray', help: 'Waiting for the agent to pick it up.' },
  dispatched: { label: 'Sent', color: 'indigo', help: 'The agent received it and is about to start.' },
  running: { label: 'Running', color: 'blue', help: 'restic is running on the host.' },
  succeeded: { label: 'Succeeded', color: 'teal', help: 'Finished without problems.' },
  warning: { label: 'Warning', color: 'yellow', help: 'Finished, but some files could not be read.' },
  failed: { label: 'Failed', color: 'red', help: 'restic failed; the log says why.' },
  cancelled: { label: 'Cancelled', color: 'gray', help: 'Stopped on request.' },
  lost: { label: 'Lost', color: 'orange', help: 'The agent stopped reporting on it (restarted or gone).' },
  blocked: {
    label: 'Blocked',
    color: 'grape',
    help: 'A guard stopped it before it changed anything (e.g. a forget past the delete guard); an admin can approve it.',
  },
};

export const JOB_KIND_LABEL: Record<JobKind, string> = {
  backup: 'Backup',
  init: 'Initialize repository',
  snapshots: 'Refresh snapshots',
  forget: 'Forget (retention)',
  prune: 'Prune',
  check: 'Check',
  unlock: 'Unlock',
  stats: 'Repository stats',
  key_add: 'Key rotation: add the new key',
  key_remove: 'Key rotation: remove the old key',
  copy: 'Copy to a mirror',
  restore: 'Restore',
  drill: 'Restore drill',
};

export function isActiveJob(status: JobState): boolean {
  return status === 'queued' || status === 'dispatched' || status === 'running';
}

/** "Backup of web-01 to office-nas". */
export function jobTitle(job: Pick<Job, 'kind' | 'hostname' | 'host_id' | 'repository_name'>): string {
  const host = job.hostname ?? 'a deleted host';
  const repo = job.repository_name ? ` to ${job.repository_name}` : '';
  switch (job.kind) {
    case 'backup':
      return `Backup of ${host}${repo}`;
    case 'init':
      return `Initialize ${job.repository_name ?? 'repository'} from ${host}`;
    case 'snapshots':
      return `Refresh snapshots of ${host}${job.repository_name ? ` in ${job.repository_name}` : ''}`;
    case 'forget':
      return `Retention of ${job.repository_name ?? 'a repository'} from ${host}`;
    case 'prune':
    case 'check':
    case 'unlock':
    case 'stats':
      return `${JOB_KIND_LABEL[job.kind]} of ${job.repository_name ?? 'a repository'} from ${host}`;
    case 'key_add':
      return `Key rotation of ${job.repository_name ?? 'a repository'}: the new key, added through ${host}`;
    case 'key_remove':
      return `Key rotation of ${job.repository_name ?? 'a repository'}: the old key, removed through ${host}`;
    case 'copy':
      return `Copy of snapshots to the mirror ${job.repository_name ?? 'a repository'} through ${host}`;
    case 'restore':
      return `Restore on ${host} from ${job.repository_name ?? 'a repository'}`;
    case 'drill':
      return `Restore drill of ${host}${repo ? ` from ${job.repository_name}` : ''}`;
  }
}

/** Who started a job: a user's name, "token …", "schedule" or "system". */
export function jobActor(job: Pick<Job, 'actor' | 'actor_kind'>): string {
  if (job.actor_kind === 'user') return job.actor ?? 'a user';
  if (job.actor_kind === 'token') return job.actor ? `token ${job.actor}` : 'an API token';
  return job.actor ?? job.actor_kind;
}

// Copy to a mirror (3-2-1), kept pure so it is tested directly: the "Copy to mirror" form's
// values → the request posted to the *mirror's* jobs (the job writes the mirror; this
// repository is `from_repository_id`), its checks, and how far behind a mirror is, in words.
import type { Host, Repository } from '@/api/types';
import type { OperationRequest } from './jobForm';

export interface CopyValues {
  hostId: string | null;
  /** The repository copied to (the job's repository). */
  mirrorId: string | null;
  /** Only this host name's snapshots; empty for every host's. */
  hostFilter: string;
  /** Only snapshots with all of these tags. */
  tags: string[];
}

export function newCopyValues(hostId: string | null, mirrorId: string | null): CopyValues {
  return { hostId, mirrorId, hostFilter: '', tags: [] };
}

/** The repositories a copy may go to: every other one; `linked` when the chosen host has it too. */
export interface MirrorChoice {
  repository: Repository;
  linked: boolean;
}

export function mirrorChoices(sourceId: string, repositories: readonly Repository[], host: Pick<Host, 'repository_ids'> | undefined): MirrorChoice[] {
  return repositories
    .filter((r) => r.id !== sourceId)
    .map((repository) => ({ repository, linked: host ? host.repository_ids.includes(repository.id) : false }))
    .sort((a, b) => Number(b.linked) - Number(a.linked) || a.repository.name.localeCompare(b.repository.name));
}

/** The mirror to offer first: the only one the host has linked, else none. */
export function defaultMirror(choices: readonly MirrorChoice[]): string | null {
  const linked = choices.filter((c) => c.linked);
  return linked.length === 1 ? (linked[0]?.repository.id ?? null) : null;
}

/** The body posted to `/repositories/{mirrorId}/jobs`: optional filters left out, never null. */
export function copyRequest(sourceId: string, v: CopyValues): OperationRequest {
  const args: Extract<OperationRequest['args'], { kind: 'copy' }> = { kind: 'copy', from_repository_id: sourceId };
  const host = v.hostFilter.trim();
  if (host) args.host = host;
  const tags = v.tags.map((t) => t.trim()).filter(Boolean);
  if (tags.length) args.tags = tags;
  return { host_id: v.hostId ?? '', args };
}

export function validateCopy(v: CopyValues, choices: readonly MirrorChoice[]): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!v.hostId) errors.hostId = 'Choose the host whose agent runs it';
  if (!v.mirrorId) errors.mirrorId = 'Choose the repository to copy to';
  else if (choices.some((c) => c.repository.id === v.mirrorId && !c.linked)) {
    errors.mirrorId = 'The host must have this repository linked too: link it on the host’s page first';
  }
  return errors;
}

/** A staleness of 26 h or more is red: a daily copy that missed one run and then some. */
export const STALE_AFTER_SECONDS = 26 * 3600;

export type StalenessLevel = 'current' | 'behind' | 'stale' | 'unmeasured';

export interface Staleness {
  level: StalenessLevel;
  label: string;
  color: string;
}

/** "45 min", "2 h", "3 d": how far behind, rounded down so the label never overstates. */
export function behindText(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.floor(seconds))} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/** `behind_seconds` in words and a color: 0 up to date, under 26 h yellow, beyond red, absent gray. */
export function stalenessOf(behindSeconds: number | undefined): Staleness {
  if (behindSeconds === undefined || behindSeconds === null) return { level: 'unmeasured', label: 'not measured yet', color: 'gray' };
  if (behindSeconds <= 0) return { level: 'current', label: 'up to date', color: 'green' };
  const label = `behind by ${behindText(behindSeconds)}`;
  return behindSeconds < STALE_AFTER_SECONDS ? { level: 'behind', label, color: 'yellow' } : { level: 'stale', label, color: 'red' };
}

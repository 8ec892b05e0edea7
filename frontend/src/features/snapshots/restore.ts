// The restore wizard's rules, kept apart from its screens so they can be tested: the request
// body built from the wizard's answers, what must be confirmed before it may be sent, and the
// download links of the snapshot browser (plain GETs: the session cookie authenticates them and
// the server names the file, so the browser saves it without the page buffering the body).
import type { components } from '@/api/schema';
import { API_PREFIX } from '@/api/client';

export type CreateRestoreRequest = components['schemas']['CreateRestoreRequest'];
export type OverwritePolicy = components['schemas']['OverwritePolicy'];
export type DownloadFormat = components['schemas']['DownloadFormat'];

export type TargetMode = 'new_path' | 'original' | 'other_host';

export interface RestoreForm {
  paths: string[];
  /** One restic --exclude pattern a line. */
  excludes: string;
  mode: TargetMode;
  /** The new directory (with `new_path`, and with `other_host` when `otherOriginal` is off). */
  newPath: string;
  otherHostId: string | null;
  /** On another host: back to the files' original paths there instead of a new directory. */
  otherOriginal: boolean;
  overwrite: OverwritePolicy;
  deleteExtra: boolean;
  verify: boolean;
  confirmHostname: string;
  confirmRisk: boolean;
}

export const DEFAULT_RESTORE_DIR = '/tmp/cairn-restore';

export function initialRestoreForm(paths: string[]): RestoreForm {
  return {
    paths,
    excludes: '',
    mode: 'new_path',
    newPath: DEFAULT_RESTORE_DIR,
    otherHostId: null,
    otherOriginal: false,
    overwrite: 'if_changed',
    deleteExtra: false,
    verify: false,
    confirmHostname: '',
    confirmRisk: false,
  };
}

export const OVERWRITE_CHOICES: { value: OverwritePolicy; label: string; description: string }[] = [
  { value: 'if_changed', label: 'If changed', description: 'Replace a file only when its content differs from the snapshot (default).' },
  { value: 'always', label: 'Always', description: 'Replace every existing file with the snapshot’s copy.' },
  { value: 'if_newer', label: 'If newer', description: 'Replace a file only when the snapshot’s copy is newer than it.' },
  { value: 'never', label: 'Never', description: 'Keep every existing file as it is; only missing files are written.' },
];

/** Top-level system directories: restoring into one needs `confirm_risk` (the server says so too). */
const SYSTEM_DIRS = ['/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/root', '/run', '/sbin', '/sys', '/usr', '/var'];

export function isSystemDir(path: string): boolean {
  const clean = path.trim().replace(/\/+$/, '') || '/';
  return SYSTEM_DIRS.includes(clean);
}

/** Whether the files go back where they were (on this host or the other one). */
export function writesOriginal(form: RestoreForm): boolean {
  return form.mode === 'original' || (form.mode === 'other_host' && form.otherOriginal);
}

/** The directory a new-path restore writes into, or null when the target is the original location. */
export function newTargetPath(form: RestoreForm): string | null {
  return writesOriginal(form) ? null : form.newPath.trim();
}

/** Why the target step cannot go on yet, by field (empty when it can). */
export function targetProblems(form: RestoreForm): Partial<Record<'newPath' | 'otherHostId', string>> {
  const problems: Partial<Record<'newPath' | 'otherHostId', string>> = {};
  if (form.mode === 'other_host' && !form.otherHostId) problems.otherHostId = 'Pick the host to restore on.';
  const path = newTargetPath(form);
  if (path !== null) {
    if (path === '') problems.newPath = 'Type the directory to restore into.';
    else if (!path.startsWith('/')) problems.newPath = 'An absolute path: it starts with “/”.';
  }
  return problems;
}

/** What must be confirmed before the restore may start (original location, system directories, deletes). */
export function confirmRules(form: RestoreForm, hostname: string) {
  const original = form.mode === 'original';
  const path = newTargetPath(form);
  const needsHostname = original;
  const needsRisk = (writesOriginal(form) && form.deleteExtra) || (path !== null && isSystemDir(path));
  const hostnameOk = !needsHostname || form.confirmHostname.trim() === hostname;
  const riskOk = !needsRisk || form.confirmRisk;
  return { needsHostname, needsRisk, hostnameOk, riskOk, ready: hostnameOk && riskOk };
}

/** The body of `create_restore` (and of `preview_restore`: the same one). */
export function buildRestoreBody(form: RestoreForm, snapshotId: string, repositoryId: string | null): CreateRestoreRequest {
  const excludes = form.excludes
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const path = newTargetPath(form);
  const body: CreateRestoreRequest = {
    snapshot_id: snapshotId,
    paths: form.paths,
    target: path === null ? { mode: 'original' } : { mode: 'new_path', path },
    overwrite: form.overwrite,
    delete_extra: form.deleteExtra,
    verify: form.verify,
    confirm_risk: form.confirmRisk,
  };
  if (repositoryId) body.repository_id = repositoryId;
  if (excludes.length > 0) body.excludes = excludes;
  if (form.mode === 'original') body.confirm_hostname = form.confirmHostname.trim();
  if (form.mode === 'other_host' && form.otherHostId) body.target_host_id = form.otherHostId;
  return body;
}

/** The URL that downloads `path` of a snapshot (a file as it is, a folder as an archive). */
export function downloadUrl(hostId: string, snapshotId: string, repositoryId: string, path: string, format: DownloadFormat): string {
  const query = new URLSearchParams({ path, repository_id: repositoryId, format });
  return `${API_PREFIX}/v1/hosts/${encodeURIComponent(hostId)}/snapshots/${encodeURIComponent(snapshotId)}/download?${query.toString()}`;
}

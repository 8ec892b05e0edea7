// The schedule editor's values, rules and request building, kept pure so they are tested
// directly: cron presets, the form ↔ ScheduleRequest mapping (optional fields left out, never
// sent as null: the server refuses null; hooks only for those who may set them) and the checks
// that mirror the server's.
import type { BackupHooks, BackupOption, Host, MissedRun, RetentionPolicy, RetentionPreviewRequest, Schedule, ScheduleRequest } from '@/api/types';
import { excludeFilesRule, excludesRule, limitRule, lines, pathsRule, tagsRule } from '@/lib/backupRules';

/** A number input's value: '' when empty (Mantine's NumberInput), else the number. */
export type NumberValue = number | string;

export type ScheduleKind = 'cron' | 'manual';

export const KEEP_COUNTS = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;
export type KeepCount = (typeof KEEP_COUNTS)[number];

export interface ScheduleValues {
  name: string;
  repositoryId: string | null;
  kind: ScheduleKind;
  cron: string;
  /** The schedule's own zone; null uses the host's. */
  timezone: string | null;
  paths: string;
  excludes: string;
  excludeFiles: string;
  tags: string[];
  oneFileSystem: boolean;
  limitUploadKib: NumberValue;
  limitDownloadKib: NumberValue;
  /** More `restic backup` options from the server's allow-list, one per line (`--exclude-caches`). */
  extraOptions: string;
  /** The pre-hook's shell command; empty for none (admins only). */
  hookPre: string;
  hookPreTimeout: NumberValue;
  /** The post-hook's shell command; empty for none (admins only). */
  hookPost: string;
  hookPostTimeout: NumberValue;
  keepLast: NumberValue;
  keepHourly: NumberValue;
  keepDaily: NumberValue;
  keepWeekly: NumberValue;
  keepMonthly: NumberValue;
  keepYearly: NumberValue;
  keepWithin: string;
  keepTags: string[];
  forgetAfterBackup: boolean;
  pruneAfterForget: boolean;
  pruneMaxUnused: string;
  missed: MissedRun;
  enabled: boolean;
  /** The second repository each successful backup is copied to (3-2-1); null for none. */
  copyTo: string | null;
}

export interface CronPreset {
  value: string;
  label: string;
  cron: string;
}

/** The presets offered above the cron field; each is a plain 5-field expression the field then shows. */
export const CRON_PRESETS: readonly CronPreset[] = [
  { value: 'hourly', label: 'Every hour', cron: '0 * * * *' },
  { value: 'every-6-hours', label: 'Every 6 hours', cron: '0 */6 * * *' },
  { value: 'daily', label: 'Every day at 03:00', cron: '0 3 * * *' },
  { value: 'weekly', label: 'Every Sunday at 03:00', cron: '0 3 * * 0' },
  { value: 'monthly', label: 'On the 1st of every month at 03:00', cron: '0 3 1 * *' },
];

/** The preset selector's value when the expression is none of the presets. */
export const CUSTOM_PRESET = 'custom';

/** Nicknames that mean exactly one preset's expression (`@daily` is midnight, not 03:00: no preset). */
const NICKNAMES: Record<string, string> = { '@hourly': '0 * * * *' };

/** The preset an expression is, whatever its spacing; CUSTOM_PRESET when it is none. */
export function presetOf(cron: string): string {
  const normal = cron.trim().split(/\s+/).join(' ');
  const expression = NICKNAMES[normal.toLowerCase()] ?? normal;
  return CRON_PRESETS.find((p) => p.cron === expression)?.value ?? CUSTOM_PRESET;
}

/** The expression a preset stands for; undefined for CUSTOM_PRESET (the field keeps what it has). */
export function cronOfPreset(value: string): string | undefined {
  return CRON_PRESETS.find((p) => p.value === value)?.cron;
}

const DEFAULT_CRON = '0 3 * * *';
/** A hook's timeout until someone sets another, in seconds. */
export const DEFAULT_HOOK_TIMEOUT = 300;
/** The server's bounds (proto HOOK_MAX_*). */
export const MAX_HOOK_TIMEOUT = 86_400;
export const MAX_HOOK_COMMAND = 4096;
export const MAX_EXTRA_OPTIONS = 20;

/** A new schedule: every night at 03:00 in the host's zone, the host's only repository when it has one. */
export function newScheduleValues(linkedRepositoryIds: readonly string[]): ScheduleValues {
  return {
    name: '',
    repositoryId: linkedRepositoryIds.length === 1 ? (linkedRepositoryIds[0] ?? null) : null,
    kind: 'cron',
    cron: DEFAULT_CRON,
    timezone: null,
    paths: '',
    excludes: '',
    excludeFiles: '',
    tags: [],
    oneFileSystem: false,
    limitUploadKib: '',
    limitDownloadKib: '',
    extraOptions: '',
    hookPre: '',
    hookPreTimeout: DEFAULT_HOOK_TIMEOUT,
    hookPost: '',
    hookPostTimeout: DEFAULT_HOOK_TIMEOUT,
    keepLast: '',
    keepHourly: '',
    keepDaily: '',
    keepWeekly: '',
    keepMonthly: '',
    keepYearly: '',
    keepWithin: '',
    keepTags: [],
    forgetAfterBackup: false,
    pruneAfterForget: false,
    pruneMaxUnused: '',
    missed: 'run_once',
    enabled: true,
    copyTo: null,
  };
}

const orEmpty = (n: number | undefined): NumberValue => (n === undefined ? '' : n);

/**
 * The editor's values for a stored schedule (its own zone, not the effective one). Its hooks
 * come only to admins; for others the hook fields stay empty and are never sent.
 */
export function scheduleValues(s: Schedule): ScheduleValues {
  const r = s.retention;
  const pre = s.hooks?.pre;
  const post = s.hooks?.post;
  return {
    name: s.name,
    repositoryId: s.repository_id,
    kind: s.cron ? 'cron' : 'manual',
    // A manual schedule switched to cron starts from the default rather than an empty field.
    cron: s.cron ?? DEFAULT_CRON,
    timezone: s.timezone ?? null,
    paths: s.backup.paths.join('\n'),
    excludes: s.backup.excludes.join('\n'),
    excludeFiles: s.backup.exclude_files.join('\n'),
    tags: [...s.backup.tags],
    oneFileSystem: s.backup.one_file_system,
    limitUploadKib: orEmpty(s.backup.limit_upload_kib),
    limitDownloadKib: orEmpty(s.backup.limit_download_kib),
    extraOptions: (s.backup.extra_options ?? []).join('\n'),
    hookPre: pre?.command ?? '',
    hookPreTimeout: pre?.timeout_secs ?? DEFAULT_HOOK_TIMEOUT,
    hookPost: post?.command ?? '',
    hookPostTimeout: post?.timeout_secs ?? DEFAULT_HOOK_TIMEOUT,
    keepLast: orEmpty(r?.keep_last),
    keepHourly: orEmpty(r?.keep_hourly),
    keepDaily: orEmpty(r?.keep_daily),
    keepWeekly: orEmpty(r?.keep_weekly),
    keepMonthly: orEmpty(r?.keep_monthly),
    keepYearly: orEmpty(r?.keep_yearly),
    keepWithin: r?.keep_within ?? '',
    keepTags: [...(r?.keep_tags ?? [])],
    forgetAfterBackup: s.forget_after_backup,
    pruneAfterForget: s.prune_after_forget,
    pruneMaxUnused: s.prune_max_unused ?? '',
    missed: s.missed,
    enabled: s.enabled,
    copyTo: s.copy_to ?? null,
  };
}

/** A number input's value as a number, or undefined when it is empty. */
function numberOf(value: NumberValue): number | undefined {
  if (value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

const cleanTags = (tags: string[]) => tags.map((t) => t.trim()).filter(Boolean);

/** The retention policy the values set, or undefined when they set no rule at all (then it is left out). */
export function retentionOf(v: ScheduleValues): RetentionPolicy | undefined {
  const policy: RetentionPolicy = { keep_tags: cleanTags(v.keepTags) };
  const counts: [KeepCount, keyof RetentionPolicy][] = [
    ['keepLast', 'keep_last'],
    ['keepHourly', 'keep_hourly'],
    ['keepDaily', 'keep_daily'],
    ['keepWeekly', 'keep_weekly'],
    ['keepMonthly', 'keep_monthly'],
    ['keepYearly', 'keep_yearly'],
  ];
  let set = policy.keep_tags.length > 0;
  for (const [field, key] of counts) {
    const n = numberOf(v[field]);
    if (n !== undefined) {
      (policy as Record<string, unknown>)[key] = n;
      set = true;
    }
  }
  const within = v.keepWithin.trim();
  if (within) {
    policy.keep_within = within;
    set = true;
  }
  return set ? policy : undefined;
}

/** Whether a policy would keep at least one snapshot (the server's `keeps_nothing`, negated). */
export function keepsSomething(policy: RetentionPolicy | undefined): boolean {
  if (!policy) return false;
  const counts = [policy.keep_last, policy.keep_hourly, policy.keep_daily, policy.keep_weekly, policy.keep_monthly, policy.keep_yearly];
  return counts.some((k) => (k ?? 0) > 0) || !!policy.keep_within || policy.keep_tags.length > 0;
}

/**
 * The hooks the values set: a hook with an empty command is none, so `{}` removes them all
 * (what the server reads when `hooks` is sent).
 */
export function hooksOf(v: ScheduleValues): BackupHooks {
  const hooks: BackupHooks = {};
  const pre = v.hookPre.trim();
  const post = v.hookPost.trim();
  if (pre) hooks.pre = { command: pre, timeout_secs: numberOf(v.hookPreTimeout) ?? DEFAULT_HOOK_TIMEOUT };
  if (post) hooks.post = { command: post, timeout_secs: numberOf(v.hookPostTimeout) ?? DEFAULT_HOOK_TIMEOUT };
  return hooks;
}

export interface RequestOptions {
  /**
   * Send `hooks` (people with schedules_hooks: admins). Everyone else leaves the key out,
   * which keeps the stored hooks; sending it would be refused (403).
   */
  withHooks?: boolean;
}

/**
 * The request for create and replace (PUT sends the whole schedule, like create). Optional
 * fields are left out when empty: no cron for a manual schedule, no zone to use the host's,
 * no limits, no retention without a rule, no max-unused without prune, no `copy_to` without a
 * mirror; `hooks` only with `withHooks`.
 */
export function scheduleRequest(v: ScheduleValues, { withHooks = false }: RequestOptions = {}): ScheduleRequest {
  const upload = numberOf(v.limitUploadKib);
  const download = numberOf(v.limitDownloadKib);
  const backup: ScheduleRequest['backup'] = {
    paths: lines(v.paths),
    excludes: lines(v.excludes),
    exclude_files: lines(v.excludeFiles),
    tags: cleanTags(v.tags),
    one_file_system: v.oneFileSystem,
    extra_options: lines(v.extraOptions),
  };
  if (upload !== undefined) backup.limit_upload_kib = upload;
  if (download !== undefined) backup.limit_download_kib = download;

  // Prune only follows a forget: the switch is off (and not sent on) without it.
  const prune = v.forgetAfterBackup && v.pruneAfterForget;
  const body: ScheduleRequest = {
    name: v.name.trim(),
    repository_id: v.repositoryId ?? '',
    backup,
    enabled: v.enabled,
    forget_after_backup: v.forgetAfterBackup,
    prune_after_forget: prune,
    missed: v.missed,
  };
  const cron = v.cron.trim();
  if (v.kind === 'cron' && cron) body.cron = cron;
  const zone = v.timezone?.trim();
  if (zone) body.timezone = zone;
  const retention = retentionOf(v);
  if (retention) body.retention = retention;
  const maxUnused = v.pruneMaxUnused.trim();
  if (prune && maxUnused) body.prune_max_unused = maxUnused;
  if (v.copyTo) body.copy_to = v.copyTo;
  if (withHooks) body.hooks = hooksOf(v);
  return body;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what the server refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_KEEP = 100_000;
/** restic's `--keep-within` form: numbers with y, m, d or h (`30d`, `1y6m`); the server's is_restic_duration. */
const DURATION = /^(\d{1,6}[ymdh])+$/;
/** restic's `prune --max-unused` form: `5%`, `2.5%`, `500M`, `2G`, `unlimited` (the server's is_max_unused). */
function isMaxUnused(value: string): boolean {
  if (value === 'unlimited') return true;
  const num = /[%kKmMgGtT]$/.test(value) ? value.slice(0, -1) : value;
  return num !== '' && num.length <= 12 && /^\d[\d.]*$/.test(num) && num.split('.').length <= 2;
}

export function keepCountRule(value: NumberValue): string | null {
  if (value === '') return null;
  const n = numberOf(value);
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= MAX_KEEP ? null : `Enter a whole number from 0 to ${MAX_KEEP.toLocaleString('en-US')}`;
}

export function keepWithinRule(value: string): string | null {
  const v = value.trim();
  return !v || DURATION.test(v) ? null : 'Use numbers with y, m, d or h, e.g. 30d or 1y6m';
}

/**
 * Extra options: at most 20, each `--name` or `--name=value` (the server checks the name and
 * value against its allow-list; with `options` known, an unknown name is caught here first).
 */
export function extraOptionsRule(text: string, options?: readonly BackupOption[]): string | null {
  const opts = lines(text);
  if (opts.length > MAX_EXTRA_OPTIONS) return `At most ${MAX_EXTRA_OPTIONS} extra options (${opts.length} entered)`;
  for (const opt of opts) {
    if (!opt.startsWith('--')) return `“${opt}” is not an option: write it as --name or --name=value`;
    if ([...opt].length > 256 || CONTROL.test(opt)) return `“${opt.slice(0, 40)}” is too long or has control characters`;
    const name = opt.split('=')[0] ?? opt;
    const known = options?.find((o) => o.name === name);
    if (options && options.length > 0 && !known) return `${name} is not an option a schedule may add`;
    if (known && known.value === 'none' && opt.includes('=')) return `${name} takes no value`;
    if (known && known.value !== 'none' && !opt.includes('=')) return `${name} needs a value: ${name}=…`;
  }
  return null;
}

/** A hook's timeout: a whole number of seconds, 1 to 86,400 (judged only when it has a command). */
export function hookTimeoutRule(value: NumberValue): string | null {
  const n = numberOf(value);
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= MAX_HOOK_TIMEOUT
    ? null
    : `Enter a whole number of seconds from 1 to ${MAX_HOOK_TIMEOUT.toLocaleString('en-US')}`;
}

export function hookCommandRule(value: string): string | null {
  if ([...value].length > MAX_HOOK_COMMAND) return `At most ${MAX_HOOK_COMMAND.toLocaleString('en-US')} characters`;
  return value.includes('\0') ? 'The command must not contain a NUL character' : null;
}

export function maxUnusedRule(value: string): string | null {
  const v = value.trim();
  return !v || isMaxUnused(v) ? null : 'A percentage (5%), a size (2G) or unlimited';
}

/**
 * Errors keyed like @mantine/form paths; empty when the values may be sent. The hook fields
 * are judged only for those who send them (`withHooks`).
 */
export function validateSchedule(v: ScheduleValues, { withHooks = false, options }: RequestOptions & { options?: readonly BackupOption[] } = {}): Record<string, string> {
  const errors: Record<string, string> = {};
  const set = (field: string, error: string | null) => {
    if (error) errors[field] = error;
  };
  const name = v.name.trim();
  if (!name) errors.name = 'Name is required';
  else if ([...name].length > 100) errors.name = 'Name must be at most 100 characters';
  else if (CONTROL.test(name)) errors.name = 'Name must not contain control characters';
  if (!v.repositoryId) errors.repositoryId = 'Choose the repository to back up to';
  if (v.kind === 'cron' && !v.cron.trim()) errors.cron = 'Enter when it runs (5 fields, or pick a preset), or make it manual';
  set('paths', pathsRule(v.paths));
  set('excludes', excludesRule(v.excludes));
  set('excludeFiles', excludeFilesRule(v.excludeFiles));
  set('tags', tagsRule(v.tags));
  set('limitUploadKib', limitRule(v.limitUploadKib));
  set('limitDownloadKib', limitRule(v.limitDownloadKib));
  set('extraOptions', extraOptionsRule(v.extraOptions, options));
  if (withHooks) {
    set('hookPre', hookCommandRule(v.hookPre));
    set('hookPost', hookCommandRule(v.hookPost));
    if (v.hookPre.trim()) set('hookPreTimeout', hookTimeoutRule(v.hookPreTimeout));
    if (v.hookPost.trim()) set('hookPostTimeout', hookTimeoutRule(v.hookPostTimeout));
  }
  for (const field of KEEP_COUNTS) set(field, keepCountRule(v[field]));
  set('keepWithin', keepWithinRule(v.keepWithin));
  set('keepTags', tagsRule(v.keepTags));
  if (v.forgetAfterBackup && !keepsSomething(retentionOf(v))) {
    errors.forgetAfterBackup = 'Set a rule that keeps something first (e.g. keep 7 daily): forget would remove every snapshot';
  }
  if (v.forgetAfterBackup && v.pruneAfterForget) set('pruneMaxUnused', maxUnusedRule(v.pruneMaxUnused));
  if (v.copyTo && v.copyTo === v.repositoryId) errors.copyTo = 'Choose a repository other than the one it backs up to';
  return errors;
}

/**
 * The request's fields (as `details.field` names them) → the form's inputs, for a refusal the
 * server puts on one field. `retention` has no single input: the retention section shows it.
 */
export const INPUTS: Readonly<Record<string, string>> = {
  name: 'name',
  repository_id: 'repositoryId',
  cron: 'cron',
  timezone: 'timezone',
  paths: 'paths',
  excludes: 'excludes',
  exclude_files: 'excludeFiles',
  tags: 'tags',
  limit_upload_kib: 'limitUploadKib',
  limit_download_kib: 'limitDownloadKib',
  extra_options: 'extraOptions',
  hooks: 'hookPre',
  'hooks.pre': 'hookPre',
  'hooks.post': 'hookPost',
  retention: 'retention',
  forget_after_backup: 'forgetAfterBackup',
  prune_after_forget: 'pruneAfterForget',
  prune_max_unused: 'pruneMaxUnused',
  copy_to: 'copyTo',
};

/**
 * The mirrors the editor offers: the host's linked repositories other than the one backed up
 * to, by name, plus a stored mirror the host no longer links (so it stays visible, and the
 * server says what to do).
 */
export function mirrorOptions(
  linkedIds: readonly string[],
  names: ReadonlyMap<string, string>,
  repositoryId: string | null,
  stored: string | undefined,
): { value: string; label: string }[] {
  const ids = stored && !linkedIds.includes(stored) ? [...linkedIds, stored] : [...linkedIds];
  return ids
    .filter((id) => id !== repositoryId)
    .map((id) => ({ value: id, label: names.get(id) ?? id }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** "keep 7 daily, 4 weekly, within 30d" — a policy in a few words for the list; null when it keeps everything. */
export function retentionSummary(policy: RetentionPolicy | undefined): string | null {
  if (!policy) return null;
  const parts: string[] = [];
  const counts: [number | undefined, string][] = [
    [policy.keep_last, 'last'],
    [policy.keep_hourly, 'hourly'],
    [policy.keep_daily, 'daily'],
    [policy.keep_weekly, 'weekly'],
    [policy.keep_monthly, 'monthly'],
    [policy.keep_yearly, 'yearly'],
  ];
  for (const [n, label] of counts) if (n !== undefined) parts.push(`${n} ${label}`);
  if (policy.keep_within) parts.push(`within ${policy.keep_within}`);
  if (policy.keep_tags.length) parts.push(`tagged ${policy.keep_tags.join(', ')}`);
  return parts.length ? `keep ${parts.join(', ')}` : null;
}

/**
 * A retention preview's request. `tags` has a server default (none), which the generated type
 * marks required; it is left out when the backup sets no tags, like every optional field.
 */
export type PreviewRequest = Omit<RetentionPreviewRequest, 'tags'> & Partial<Pick<RetentionPreviewRequest, 'tags'>>;

/**
 * What "Preview retention" asks: this host's snapshots (by its hostname) carrying all of the
 * backup's tags — the same scope as the forget after a backup — under the form's rules; null
 * while the rules are empty (a preview of "keep everything" says nothing).
 */
export function retentionPreviewRequest(v: ScheduleValues, host: Pick<Host, 'id' | 'hostname'>): PreviewRequest | null {
  const policy = retentionOf(v);
  if (!policy) return null;
  const body: PreviewRequest = { host_id: host.id, policy, host: host.hostname };
  const tags = cleanTags(v.tags);
  if (tags.length > 0) body.tags = tags;
  return body;
}

// The repository page's operation forms (forget, prune, check, unlock, stats) and the delete
// guard's form, kept pure so they are tested directly: values → request bodies (optional fields
// left out, never sent as null) and the checks that mirror the server's.
import type { ForgetGuard, RepositoryJobRequest, RetentionPolicy, RetentionPreviewRequest } from '@/api/types';

export type Operation = 'forget' | 'prune' | 'check' | 'unlock' | 'stats';
export const OPERATIONS: readonly Operation[] = ['forget', 'prune', 'check', 'unlock', 'stats'];

/** A number input's value: '' when empty (Mantine's NumberInput), else the number. */
export type NumberValue = number | string;

export interface OperationValues {
  hostId: string | null;
  // forget
  keepLast: NumberValue;
  keepHourly: NumberValue;
  keepDaily: NumberValue;
  keepWeekly: NumberValue;
  keepMonthly: NumberValue;
  keepYearly: NumberValue;
  keepWithin: string;
  /** Only this host name's snapshots; empty for every host's. */
  hostFilter: string;
  /** Only snapshots with all of these tags. */
  tags: string[];
  prune: boolean;
  // prune (and forget's prune)
  maxUnused: string;
  // prune's repack options
  maxRepackSize: string;
  repackCacheableOnly: boolean;
  repackSmall: boolean;
  repackUncompressed: boolean;
  // check
  readDataSubset: string;
  // unlock
  removeAll: boolean;
  /** The repository's name, typed to confirm removing every lock (never sent). */
  confirmName: string;
}

export function newOperationValues(hostId: string | null): OperationValues {
  return {
    hostId,
    keepLast: '',
    keepHourly: '',
    keepDaily: '',
    keepWeekly: '',
    keepMonthly: '',
    keepYearly: '',
    keepWithin: '',
    hostFilter: '',
    tags: [],
    prune: false,
    maxUnused: '',
    maxRepackSize: '',
    repackCacheableOnly: false,
    repackSmall: false,
    repackUncompressed: false,
    readDataSubset: '',
    removeAll: false,
    confirmName: '',
  };
}

/** One job's `args`, tagged by kind; fields with a server default are left out when unset. */
export type OperationArgs =
  | { kind: 'forget'; policy: RetentionPolicy; host?: string; tags?: string[]; prune?: boolean; max_unused?: string }
  | {
      kind: 'prune';
      max_unused?: string;
      max_repack_size?: string;
      repack_cacheable_only?: boolean;
      repack_small?: boolean;
      repack_uncompressed?: boolean;
    }
  | { kind: 'check'; read_data_subset?: string }
  | { kind: 'unlock'; remove_all?: boolean }
  | { kind: 'stats' }
  // Posted to the mirror's jobs (copies.ts builds it); no form of its own here.
  | { kind: 'copy'; from_repository_id: string; host?: string; tags?: string[] };

export interface OperationRequest {
  host_id: string;
  args: OperationArgs;
}

function numberOf(value: NumberValue): number | undefined {
  if (value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

const KEEPS: [keyof OperationValues, keyof RetentionPolicy][] = [
  ['keepLast', 'keep_last'],
  ['keepHourly', 'keep_hourly'],
  ['keepDaily', 'keep_daily'],
  ['keepWeekly', 'keep_weekly'],
  ['keepMonthly', 'keep_monthly'],
  ['keepYearly', 'keep_yearly'],
];

/** The forget's policy, or null when it sets no rule (the server refuses a forget without one). */
export function policyOf(v: OperationValues): RetentionPolicy | null {
  const policy: RetentionPolicy = { keep_tags: [] };
  let set = false;
  for (const [field, key] of KEEPS) {
    const n = numberOf(v[field] as NumberValue);
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
  return set ? policy : null;
}

const cleanTags = (tags: string[]) => tags.map((t) => t.trim()).filter(Boolean);

export function operationArgs(kind: Operation, v: OperationValues): OperationArgs {
  switch (kind) {
    case 'forget': {
      const args: OperationArgs = { kind: 'forget', policy: policyOf(v) ?? { keep_tags: [] } };
      const host = v.hostFilter.trim();
      if (host) args.host = host;
      const tags = cleanTags(v.tags);
      if (tags.length) args.tags = tags;
      if (v.prune) {
        args.prune = true;
        const maxUnused = v.maxUnused.trim();
        if (maxUnused) args.max_unused = maxUnused;
      }
      return args;
    }
    case 'prune': {
      const args: Extract<OperationArgs, { kind: 'prune' }> = { kind: 'prune' };
      const maxUnused = v.maxUnused.trim();
      if (maxUnused) args.max_unused = maxUnused;
      const maxRepack = v.maxRepackSize.trim();
      if (maxRepack) args.max_repack_size = maxRepack;
      if (v.repackCacheableOnly) args.repack_cacheable_only = true;
      if (v.repackSmall) args.repack_small = true;
      if (v.repackUncompressed) args.repack_uncompressed = true;
      return args;
    }
    case 'check': {
      const subset = v.readDataSubset.trim();
      return subset ? { kind: 'check', read_data_subset: subset } : { kind: 'check' };
    }
    case 'unlock':
      return v.removeAll ? { kind: 'unlock', remove_all: true } : { kind: 'unlock' };
    case 'stats':
      return { kind: 'stats' };
  }
}

export function operationRequest(kind: Operation, v: OperationValues): OperationRequest {
  return { host_id: v.hostId ?? '', args: operationArgs(kind, v) };
}

/** The generated request type types `args` loosely (an object); OperationRequest is what is sent, checked here. */
export function asJobRequest(body: OperationRequest): RepositoryJobRequest {
  return body;
}

/** A retention preview of the forget form: the same policy, host filter and tags; null without a rule. */
export type PreviewRequest = Omit<RetentionPreviewRequest, 'tags'> & Partial<Pick<RetentionPreviewRequest, 'tags'>>;

export function forgetPreviewRequest(v: OperationValues): PreviewRequest | null {
  const policy = policyOf(v);
  if (!policy || !v.hostId) return null;
  const body: PreviewRequest = { host_id: v.hostId, policy };
  const host = v.hostFilter.trim();
  if (host) body.host = host;
  const tags = cleanTags(v.tags);
  if (tags.length) body.tags = tags;
  return body;
}

const DURATION = /^(\d{1,6}[ymdh])+$/;
/** `--max-unused`: `5%`, `2.5%`, `500M`, `2G`, `unlimited`. */
function isMaxUnused(value: string): boolean {
  if (value === 'unlimited') return true;
  const num = /[%kKmMgGtT]$/.test(value) ? value.slice(0, -1) : value;
  return num !== '' && num.length <= 12 && /^\d[\d.]*$/.test(num) && num.split('.').length <= 2;
}
/** `--read-data-subset`: `10%`, `1/5` or a size `500M`. */
const SUBSET = /^(\d+(\.\d+)?%|\d+\/\d+|\d+[kKmMgGtT]?)$/;
/** `--max-repack-size`: digits (a decimal point allowed) and an optional k, M, G or T. */
const REPACK_SIZE = /^\d+(\.\d+)?[kKmMgGtT]?$/;

export function validateOperation(kind: Operation, v: OperationValues, repositoryName: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!v.hostId) errors.hostId = 'Choose the host whose agent runs it';
  if (kind === 'forget') {
    for (const [field] of KEEPS) {
      const raw = v[field] as NumberValue;
      const n = numberOf(raw);
      if (raw !== '' && (n === undefined || !Number.isInteger(n) || n < 0 || n > 100_000)) errors[field] = 'A whole number from 0 to 100,000';
    }
    const within = v.keepWithin.trim();
    if (within && !DURATION.test(within)) errors.keepWithin = 'Use numbers with y, m, d or h, e.g. 30d or 1y6m';
    if (!errors.keepWithin && !policyOf(v)) errors.policy = 'Set at least one rule (e.g. keep 7 daily): forget needs one';
  }
  const maxUnused = v.maxUnused.trim();
  if ((kind === 'prune' || (kind === 'forget' && v.prune)) && maxUnused && !isMaxUnused(maxUnused)) {
    errors.maxUnused = 'A percentage (5%), a size (2G) or unlimited';
  }
  const maxRepack = v.maxRepackSize.trim();
  if (kind === 'prune' && maxRepack && !REPACK_SIZE.test(maxRepack)) errors.maxRepackSize = 'A size: 500M, 2G, or bytes';
  if (kind === 'unlock' && v.removeAll && v.confirmName.trim() !== repositoryName) {
    errors.confirmName = `Type ${repositoryName} to remove every lock`;
  }
  const subset = v.readDataSubset.trim();
  if (kind === 'check' && subset && !SUBSET.test(subset)) errors.readDataSubset = 'A percentage (10%), a part (1/5) or a size (500M)';
  return errors;
}

// The delete guard's form.
export interface GuardValues {
  maxDeleteCount: NumberValue;
  maxDeletePercent: NumberValue;
  minKeep: NumberValue;
}

export function guardValues(guard: ForgetGuard): GuardValues {
  return { maxDeleteCount: guard.max_delete_count ?? '', maxDeletePercent: guard.max_delete_percent ?? '', minKeep: guard.min_keep };
}

/** The whole guard (PATCH replaces it): an empty limit is left out, meaning no such limit. */
export function guardRequest(v: GuardValues): ForgetGuard {
  const guard: ForgetGuard = { min_keep: numberOf(v.minKeep) ?? 0 };
  const count = numberOf(v.maxDeleteCount);
  const pct = numberOf(v.maxDeletePercent);
  if (count !== undefined) guard.max_delete_count = count;
  if (pct !== undefined) guard.max_delete_percent = pct;
  return guard;
}

function rangeRule(value: NumberValue, min: number, max: number, optional: boolean): string | null {
  if (value === '') return optional ? null : 'Required';
  const n = numberOf(value);
  return n !== undefined && Number.isInteger(n) && n >= min && n <= max ? null : `A whole number from ${min} to ${max.toLocaleString('en-US')}`;
}

export function validateGuard(v: GuardValues): Record<string, string> {
  const errors: Record<string, string> = {};
  const set = (k: string, e: string | null) => {
    if (e) errors[k] = e;
  };
  set('maxDeleteCount', rangeRule(v.maxDeleteCount, 1, 100_000, true));
  set('maxDeletePercent', rangeRule(v.maxDeletePercent, 1, 100, true));
  set('minKeep', rangeRule(v.minKeep, 0, 1_000, false));
  return errors;
}

/** "at most 50 % and 10 snapshots per run; each group keeps 1" */
export function guardSentence(guard: ForgetGuard): string {
  const limits: string[] = [];
  if (guard.max_delete_percent !== undefined) limits.push(`${guard.max_delete_percent} %`);
  if (guard.max_delete_count !== undefined) limits.push(`${guard.max_delete_count} ${guard.max_delete_count === 1 ? 'snapshot' : 'snapshots'}`);
  const first = limits.length ? `One forget removes at most ${limits.join(' and ')} of its snapshots` : 'No limit on how many snapshots one forget removes';
  return `${first}; each group keeps at least ${guard.min_keep}.`;
}

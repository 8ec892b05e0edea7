// A host's restore drill schedule, kept pure so it is tested directly: the presets, the form ↔
// request mapping (the zone left out when it follows the host's), the checks that mirror the server's, and the sentence.
import type { DrillSchedule, SetDrillScheduleRequest } from '@/api/types';
import { formatBytes, formatCount } from '@/lib/units';

export type { DrillSchedule, SetDrillScheduleRequest };

const MIB = 1024 * 1024;
/** The server's limits (SetDrillScheduleRequest): 1–1000 files, at most 10 GiB per drill. */
export const MAX_FILES = 1000;
export const MAX_MIB = 10 * 1024;
/** The server's defaults when a field is left out, shown as the form's starting values. */
export const DEFAULT_FILES = 20;
export const DEFAULT_MIB = 100;

export interface DrillScheduleValues {
  repositoryId: string | null;
  cron: string;
  /** An IANA zone; empty follows the host's zone. */
  timezone: string;
  /** Mantine's NumberInput gives a string while the field is empty or half typed. */
  files: number | string;
  maxMib: number | string;
}

export interface DrillPreset {
  value: string;
  label: string;
  cron: string;
}

export const DRILL_PRESETS: readonly DrillPreset[] = [
  { value: 'weekly', label: 'Every Sunday at 05:00', cron: '0 5 * * 0' },
  { value: 'daily', label: 'Every day at 04:30', cron: '30 4 * * *' },
  { value: 'monthly', label: 'On the 1st of every month at 05:00', cron: '0 5 1 * *' },
];
export const CUSTOM_DRILL_PRESET = 'custom';

/** The preset an expression is, whatever its spacing; CUSTOM_DRILL_PRESET when none. */
export function drillPresetOf(cron: string): string {
  return DRILL_PRESETS.find((p) => p.cron === normalCron(cron))?.value ?? CUSTOM_DRILL_PRESET;
}

function normalCron(cron: string): string {
  return cron.trim().split(/\s+/).join(' ');
}

/** The suggested first schedule: weekly, the server's sample size, the host's only repository when it has one. */
export function newDrillScheduleValues(repositoryIds: readonly string[]): DrillScheduleValues {
  return {
    repositoryId: repositoryIds.length === 1 ? (repositoryIds[0] ?? null) : null,
    cron: '0 5 * * 0',
    timezone: '',
    files: DEFAULT_FILES,
    maxMib: DEFAULT_MIB,
  };
}

export function drillScheduleValues(s: DrillSchedule): DrillScheduleValues {
  return {
    repositoryId: s.repository_id,
    cron: s.cron,
    timezone: s.timezone ?? '',
    files: s.files,
    // Whole MiB in the form; a size set through the API in odd bytes rounds up (never to 0).
    maxMib: Math.max(1, Math.ceil(s.max_bytes / MIB)),
  };
}

/** The PUT's body. Call after `validateDrillSchedule` passed (the numbers and repository are set). */
export function drillScheduleRequest(v: DrillScheduleValues): SetDrillScheduleRequest {
  const body: SetDrillScheduleRequest = {
    repository_id: v.repositoryId ?? '',
    cron: normalCron(v.cron),
    files: Number(v.files),
    max_bytes: Number(v.maxMib) * MIB,
  };
  const zone = v.timezone.trim();
  if (zone) body.timezone = zone;
  return body;
}

function wholeIn(value: number | string, min: number, max: number): boolean {
  const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  return Number.isInteger(n) && n >= min && n <= max;
}

export function validateDrillSchedule(v: DrillScheduleValues): Partial<Record<keyof DrillScheduleValues, string>> {
  const errors: Partial<Record<keyof DrillScheduleValues, string>> = {};
  if (!v.repositoryId) errors.repositoryId = 'Choose the repository the drill restores from';
  const fields = v.cron.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) errors.cron = 'Enter when it runs (5 fields), or pick a preset';
  else if (fields.length !== 5) errors.cron = 'Five fields: minute hour day-of-month month day-of-week';
  if (!wholeIn(v.files, 1, MAX_FILES)) errors.files = `A whole number from 1 to ${formatCount(MAX_FILES)}`;
  if (!wholeIn(v.maxMib, 1, MAX_MIB)) errors.maxMib = `A whole number of MiB from 1 to ${formatCount(MAX_MIB)} (10 GiB)`;
  return errors;
}

/** The request's fields (`details.field` of the server's 400s) → the form's inputs. */
export const DRILL_SCHEDULE_INPUTS: Readonly<Record<string, keyof DrillScheduleValues>> = {
  repository_id: 'repositoryId',
  cron: 'cron',
  timezone: 'timezone',
  files: 'files',
  max_bytes: 'maxMib',
};

/** "at 05:00 on Sunday" from "At 05:00 on Sunday": the server's words inside a sentence (an acronym stays as it is). */
export function inSentence(description: string): string {
  const second = description.charAt(1);
  return second && second === second.toLowerCase() ? description.charAt(0).toLowerCase() + description.slice(1) : description;
}

/** "20 files, ≤ 100 MiB": what each drill restores at most. */
export function sampleSize(s: Pick<DrillSchedule, 'files' | 'max_bytes'>): string {
  return `${formatCount(s.files)} ${s.files === 1 ? 'file' : 'files'}, ≤ ${formatBytes(s.max_bytes)}`;
}

/** Whether the next fire has passed: it is due and waits for the host to be online and free. */
export function isDue(nextAt: string | undefined, now: number = Date.now()): boolean {
  if (!nextAt) return false;
  const t = new Date(nextAt).getTime();
  return !Number.isNaN(t) && t <= now;
}

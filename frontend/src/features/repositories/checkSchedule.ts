// A repository's check on a schedule of its own, kept pure so it is tested directly: the
// presets, the form ↔ `check_schedule` mapping (optional fields left out, never sent as null:
// only the whole schedule is null, which removes it), the checks that mirror the server's, and
// the sentence the page shows.

/** What the repository says it runs (GET) and what a PATCH sets (generated types). */
import type { CheckSchedule, CheckScheduleRequest } from '@/api/types';

export type { CheckSchedule, CheckScheduleRequest };

export interface CheckScheduleValues {
  cron: string;
  /** An IANA zone; the browser's by default. */
  timezone: string;
  /** `--read-data-subset`; empty reads the structure only. */
  readDataSubset: string;
  /** The preferred linked host; null for any online linked host. */
  hostId: string | null;
}

export interface CheckPreset {
  value: string;
  label: string;
  cron: string;
}

export const CHECK_PRESETS: readonly CheckPreset[] = [
  { value: 'weekly', label: 'Every Sunday at 04:00', cron: '0 4 * * 0' },
  { value: 'monthly', label: 'On the 1st of every month at 04:00', cron: '0 4 1 * *' },
  { value: 'daily', label: 'Every day at 04:00', cron: '0 4 * * *' },
];
export const CUSTOM_CHECK_PRESET = 'custom';

/** The preset an expression is, whatever its spacing; CUSTOM_CHECK_PRESET when none. */
export function checkPresetOf(cron: string): string {
  const normal = cron.trim().split(/\s+/).join(' ');
  return CHECK_PRESETS.find((p) => p.cron === normal)?.value ?? CUSTOM_CHECK_PRESET;
}

/** The zone this browser runs in, UTC when it cannot say. */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

let zones: string[] | null = null;

/** Every IANA zone this browser knows, UTC first. */
export function knownZones(): string[] {
  if (!zones) {
    let known: string[];
    try {
      known = Intl.supportedValuesOf('timeZone');
    } catch {
      known = [];
    }
    zones = ['UTC', ...known.filter((z) => z !== 'UTC')];
  }
  return zones;
}

/** The suggested first schedule: weekly, reading 5 % of the data, in the browser's zone. */
export function newCheckScheduleValues(zone: string = browserZone()): CheckScheduleValues {
  return { cron: '0 4 * * 0', timezone: zone, readDataSubset: '5%', hostId: null };
}

export function checkScheduleValues(s: CheckSchedule): CheckScheduleValues {
  return { cron: s.cron, timezone: s.timezone, readDataSubset: s.read_data_subset ?? '', hostId: s.host_id ?? null };
}

/** The PATCH's `check_schedule`: empty optional fields are left out (the server's defaults). */
export function checkScheduleRequest(v: CheckScheduleValues): CheckScheduleRequest {
  const body: CheckScheduleRequest = { cron: v.cron.trim().split(/\s+/).join(' ') };
  const zone = v.timezone.trim();
  if (zone) body.timezone = zone;
  const subset = v.readDataSubset.trim();
  if (subset) body.read_data_subset = subset;
  if (v.hostId) body.host_id = v.hostId;
  return body;
}

/** `--read-data-subset`: a percentage `5%`, a part `1/5` or a size `500M`. */
const SUBSET = /^(\d+(\.\d+)?%|\d+\/\d+|\d+[kKmMgGtT]?)$/;

export function validateCheckSchedule(v: CheckScheduleValues): Partial<Record<keyof CheckScheduleValues, string>> {
  const errors: Partial<Record<keyof CheckScheduleValues, string>> = {};
  const fields = v.cron.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) errors.cron = 'Enter when it runs (5 fields), or pick a preset';
  else if (fields.length !== 5 && !v.cron.trim().startsWith('@')) errors.cron = 'Five fields: minute hour day-of-month month day-of-week';
  if (!v.timezone.trim()) errors.timezone = 'Choose the time zone the schedule is read in';
  const subset = v.readDataSubset.trim();
  if (subset && !SUBSET.test(subset)) errors.readDataSubset = 'A percentage (5%), a part (1/5) or a size (500M)';
  return errors;
}

/** The request's fields (`details.field` of `repository.invalid_check_schedule`) → the form's inputs. */
export const CHECK_SCHEDULE_INPUTS: Readonly<Record<string, keyof CheckScheduleValues>> = {
  'check_schedule.cron': 'cron',
  'check_schedule.timezone': 'timezone',
  'check_schedule.read_data_subset': 'readDataSubset',
  'check_schedule.host_id': 'hostId',
};

/** "at 04:00 on Sunday" from "At 04:00 on Sunday": the server's words inside a sentence. */
export function inSentence(description: string): string {
  const first = description.charAt(0);
  const second = description.charAt(1);
  return second && second === second.toLowerCase() ? first.toLowerCase() + description.slice(1) : description;
}

/** Whether the next fire has passed: it is due and waits for an online host. */
export function isDue(nextAt: string | undefined, now: number = Date.now()): boolean {
  if (!nextAt) return false;
  const t = new Date(nextAt).getTime();
  return !Number.isNaN(t) && t <= now;
}

/** "Sun, Dec 7, 04:00 CET": a fire as the clock in `zone` shows it (UTC when the browser lacks the zone). */
export function formatFire(value: string, zone: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const options: Intl.DateTimeFormatOptions = {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: 'UTC' }).format(date);
  }
}

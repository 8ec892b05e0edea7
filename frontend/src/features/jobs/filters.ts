// The history's filters live in the URL (shareable, survive reload, and other pages can link
// to e.g. /jobs?host_id=…): parsing and writing them.
import { JOB_KINDS, JOB_STATES, type JobKind, type JobState } from '@/api/types';
import { TIME_RANGES, type JobFilters, type TimeRange } from './api';

function oneOf<T extends string>(values: readonly T[], value: string | null): T | null {
  return values.find((v) => v === value) ?? null;
}

export function filtersFromParams(params: URLSearchParams): JobFilters {
  return {
    hostId: params.get('host_id') || null,
    kind: oneOf<JobKind>(JOB_KINDS, params.get('kind')),
    status: oneOf<JobState>(JOB_STATES, params.get('status')),
    range: oneOf<TimeRange>(
      TIME_RANGES.map((r) => r.value),
      params.get('range'),
    ),
    since: params.get('since') ?? '',
    until: params.get('until') ?? '',
  };
}

const PARAM_OF = { hostId: 'host_id', kind: 'kind', status: 'status', range: 'range', since: 'since', until: 'until' } as const;
export type FilterField = keyof typeof PARAM_OF;

/**
 * A copy of `params` with one filter changed. Other filters change the list's query key, so the
 * history starts again from its first page. A `page` left by an old link is dropped.
 */
export function withFilter(params: URLSearchParams, field: FilterField, value: string | null): URLSearchParams {
  const next = new URLSearchParams(params);
  const key = PARAM_OF[field];
  if (value === null || value === '') next.delete(key);
  else next.set(key, value);
  next.delete('page');
  if (field === 'range' && value !== 'custom') {
    next.delete('since');
    next.delete('until');
  }
  return next;
}

export function isFiltered(f: JobFilters): boolean {
  return f.hostId !== null || f.kind !== null || f.status !== null || f.range !== null;
}

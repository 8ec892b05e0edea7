// The alerts page's filters live in the URL (shareable, survive reload; the host page links to
// /alerts?host_id=…): parsing them, writing one, and the list request they make.
import { ALERT_RULES, ALERT_SEVERITIES, type AlertRuleName, type AlertSeverity, type AlertState } from '@/api/types';

/** "Unresolved" (open and acknowledged) is the default: what still needs someone. */
export type StateFilter = 'unresolved' | 'open' | 'acknowledged' | 'resolved' | 'all';

export const STATE_FILTERS: readonly { value: StateFilter; label: string }[] = [
  { value: 'unresolved', label: 'Unresolved' },
  { value: 'open', label: 'Open' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

export interface AlertFilters {
  state: StateFilter;
  /** Any severity when empty; mildest first. */
  severity: AlertSeverity[];
  rule: AlertRuleName | null;
  hostId: string | null;
}

export function filtersFromParams(params: URLSearchParams): AlertFilters {
  const state = STATE_FILTERS.find((s) => s.value === params.get('state'))?.value ?? 'unresolved';
  const wanted = params.getAll('severity');
  return {
    state,
    severity: ALERT_SEVERITIES.filter((s) => wanted.includes(s)),
    rule: ALERT_RULES.find((r) => r === params.get('rule')) ?? null,
    hostId: params.get('host_id') || null,
  };
}

export type FilterChange =
  | { field: 'state'; value: StateFilter }
  | { field: 'severity'; value: AlertSeverity[] }
  | { field: 'rule'; value: AlertRuleName | null }
  | { field: 'hostId'; value: string | null };

/** A copy of `params` with one filter changed; the default state is left out of the URL. */
export function withFilter(params: URLSearchParams, change: FilterChange): URLSearchParams {
  const next = new URLSearchParams(params);
  switch (change.field) {
    case 'state':
      if (change.value === 'unresolved') next.delete('state');
      else next.set('state', change.value);
      break;
    case 'severity':
      next.delete('severity');
      for (const s of change.value) next.append('severity', s);
      break;
    case 'rule':
      if (change.value) next.set('rule', change.value);
      else next.delete('rule');
      break;
    case 'hostId':
      if (change.value) next.set('host_id', change.value);
      else next.delete('host_id');
      break;
  }
  return next;
}

export function isFiltered(f: AlertFilters): boolean {
  return f.severity.length > 0 || f.rule !== null || f.hostId !== null;
}

const STATES_OF: Record<StateFilter, AlertState[] | undefined> = {
  unresolved: ['open', 'acknowledged'],
  open: ['open'],
  acknowledged: ['acknowledged'],
  resolved: ['resolved'],
  all: undefined,
};

/** The list request's filters (`state` and `severity` repeat in the query string). */
export function alertsQuery(f: AlertFilters) {
  return {
    state: STATES_OF[f.state],
    severity: f.severity.length > 0 ? f.severity : undefined,
    rule: f.rule ?? undefined,
    host_id: f.hostId ?? undefined,
  };
}

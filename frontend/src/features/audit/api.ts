// Audit API hooks: filtered, cursor-paged events ("load more" via next_before), chain
// verification, and export links that carry the same filters.
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { API_PREFIX, api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { AuditOutcome } from '@/api/types';

export interface AuditFilters {
  actor: string;
  action: string;
  target: string;
  outcome: AuditOutcome | null;
  /** `datetime-local` input values (local time), converted to RFC 3339 when sent. */
  since: string;
  until: string;
}

export const emptyFilters: AuditFilters = { actor: '', action: '', target: '', outcome: null, since: '', until: '' };

export const PAGE_SIZE = 50;

function toRfc3339(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The query parameters shared by the list and the export, empty ones left out. */
export function filterParams(f: AuditFilters) {
  return {
    actor: f.actor.trim() || undefined,
    action: f.action.trim() || undefined,
    target: f.target.trim() || undefined,
    outcome: f.outcome ?? undefined,
    since: toRfc3339(f.since),
    until: toRfc3339(f.until),
  };
}

export function exportUrl(f: AuditFilters, format: 'csv' | 'ndjson'): string {
  const search = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(filterParams(f))) {
    if (value !== undefined) search.set(key, value);
  }
  return `${API_PREFIX}/v1/audit/export?${search.toString()}`;
}

export function useAuditEvents(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: keys.audit.events(filters),
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/v1/audit', {
          signal,
          params: { query: { ...filterParams(filters), before: pageParam, limit: PAGE_SIZE } },
        }),
      ),
    getNextPageParam: (last) => last.next_before,
  });
}

export function useVerifyAudit() {
  return useMutation({
    mutationFn: () => unwrap(api.GET('/v1/audit/verify')),
  });
}

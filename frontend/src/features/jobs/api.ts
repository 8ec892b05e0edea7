// Jobs API hooks: the filtered history, read a page at a time by cursor ("Load more"; polled
// faster while something runs), one job, cancel, an admin's approval of a blocked forget, and
// the hosts for the host filter.
import { keepPreviousData, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { FIRST_PAGE, nextCursor, pageParams } from '@/api/paging';
import { keys } from '@/api/queryKeys';
import type { Job, JobKind, JobState } from '@/api/types';
import { isActiveJob } from '@/lib/jobs';

export const PAGE_SIZE = 25;
/** How often the history refreshes while a listed job has not ended, and otherwise. */
export const ACTIVE_REFRESH_MS = 3_000;
export const IDLE_REFRESH_MS = 15_000;

export type TimeRange = '1h' | '24h' | '7d' | '30d' | 'custom';
export const TIME_RANGES: readonly { value: TimeRange; label: string; seconds?: number }[] = [
  { value: '1h', label: 'Last hour', seconds: 3600 },
  { value: '24h', label: 'Last 24 hours', seconds: 86_400 },
  { value: '7d', label: 'Last 7 days', seconds: 7 * 86_400 },
  { value: '30d', label: 'Last 30 days', seconds: 30 * 86_400 },
  { value: 'custom', label: 'Custom range…' },
];

export interface JobFilters {
  hostId: string | null;
  kind: JobKind | null;
  status: JobState | null;
  range: TimeRange | null;
  /** `datetime-local` values (local time) for a custom range. */
  since: string;
  until: string;
}

function toRfc3339(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The list request's query: a preset range counts back from `now`, a custom one is sent as is.
 * The first page (no `cursor`) also asks for the count.
 */
export function jobsQuery(f: JobFilters, cursor: string | undefined = FIRST_PAGE, pageSize: number = PAGE_SIZE, now: number = Date.now()) {
  const preset = TIME_RANGES.find((r) => r.value === f.range)?.seconds;
  return {
    host_id: f.hostId ?? undefined,
    kind: f.kind ?? undefined,
    status: f.status ?? undefined,
    since: preset ? new Date(now - preset * 1000).toISOString() : f.range === 'custom' ? toRfc3339(f.since) : undefined,
    until: f.range === 'custom' ? toRfc3339(f.until) : undefined,
    limit: pageSize,
    ...pageParams(cursor),
  };
}

/** The history, newest first: the pages loaded so far ("Load more" asks for the next by cursor). */
export function useJobs(filters: JobFilters) {
  return useInfiniteQuery({
    queryKey: keys.jobs.list(filters),
    initialPageParam: FIRST_PAGE,
    queryFn: ({ pageParam, signal }) => unwrap(api.GET('/v1/jobs', { signal, params: { query: jobsQuery(filters, pageParam) } })),
    getNextPageParam: nextCursor,
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.items.some((j) => isActiveJob(j.status))) ? ACTIVE_REFRESH_MS : IDLE_REFRESH_MS,
  });
}

export function jobQuery(id: string) {
  return queryOptions({
    queryKey: keys.jobs.detail(id),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/jobs/{id}', { signal, params: { path: { id } } })),
  });
}

/** One job; the live feed keeps it current, so it is not polled. */
export function useJob(id: string) {
  return useQuery(jobQuery(id));
}

/** Fetch the job now (also renews an expired session through the client's 401 handling). */
export function useFetchJob() {
  const queryClient = useQueryClient();
  return (id: string) => queryClient.fetchQuery({ ...jobQuery(id), staleTime: 0 });
}

/** Store a job the server just returned (a cancel answer, a live status event). */
export function useStoreJob() {
  const queryClient = useQueryClient();
  return (job: Job) => {
    queryClient.setQueryData(keys.jobs.detail(job.id), job);
    void queryClient.invalidateQueries({ queryKey: keys.jobs.lists() });
  };
}

export function useCancelJob() {
  const store = useStoreJob();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/jobs/{id}/cancel', { params: { path: { id } } })),
    onSuccess: store,
    // `job.finished`: it ended meanwhile; show how.
    onError: (_error, id) => queryClient.invalidateQueries({ queryKey: keys.jobs.detail(id) }),
  });
}

/**
 * Approve one forget the delete guard blocked: the server starts a new forget with the same
 * arguments past the guard and answers it (202). The history shows the new job.
 */
export function useApproveJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/jobs/{id}/approve', { params: { path: { id } } })),
    onSuccess: (job) => {
      queryClient.setQueryData(keys.jobs.detail(job.id), job);
      void queryClient.invalidateQueries({ queryKey: keys.jobs.lists() });
    },
    // `job.not_blocked`: someone approved it meanwhile, or it is not a blocked forget; show it as it is.
    onError: (_error, id) => queryClient.invalidateQueries({ queryKey: keys.jobs.detail(id) }),
  });
}

/** Hosts for the history's host filter (first 500, by name). */
export function useHostChoices() {
  return useQuery({
    queryKey: keys.jobs.hostChoices(),
    queryFn: async ({ signal }) => {
      const list = await unwrap(api.GET('/v1/hosts', { signal, params: { query: { limit: 500 } } }));
      return list.items.map((h) => ({ value: h.id, label: h.hostname })).sort((a, b) => a.label.localeCompare(b.label));
    },
    staleTime: 60_000,
  });
}

/** A repository's name for a link (a copy job's source); `undefined` until read or when gone. */
export function useRepositoryName(id: string | undefined) {
  const q = useQuery({
    queryKey: keys.repositories.detail(id ?? ''),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/repositories/{id}', { signal, params: { path: { id: id ?? '' } } })),
    enabled: Boolean(id),
    retry: false,
  });
  return q.data?.name;
}

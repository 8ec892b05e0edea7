// Snapshots API hooks: a host's snapshots (as its agent last reported them), asking the agent
// to read the list again, and following that refresh job until it ends. A job that ends
// elsewhere (a backup seen in the host's recent jobs) refreshes them through
// `keys.snapshots.ofHost`.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { FIRST_PAGE, nextCursor, pageParams } from '@/api/paging';
import { keys } from '@/api/queryKeys';
import type { Job } from '@/api/types';
import { isActiveJob } from '@/lib/jobs';

export const SNAPSHOTS_PAGE_SIZE = 10;
const REFRESH_MS = 15_000;
const WATCH_MS = 1_500;

/** The host's snapshots, newest first: the pages loaded so far (the first page also asks for the count). */
export function useHostSnapshots(hostId: string, repositoryId: string | null) {
  return useInfiniteQuery({
    queryKey: keys.snapshots.list(hostId, repositoryId),
    initialPageParam: FIRST_PAGE,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/v1/hosts/{id}/snapshots', {
          signal,
          params: {
            path: { id: hostId },
            query: {
              repository_id: repositoryId ?? undefined,
              limit: SNAPSHOTS_PAGE_SIZE,
              ...pageParams(pageParam),
            },
          },
        }),
      ),
    getNextPageParam: nextCursor,
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
}

/** Ask the host's agent for the current snapshot list of a repository; answers the queued job. */
export function useRefreshSnapshots(hostId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (repositoryId: string) =>
      unwrap(api.POST('/v1/hosts/{id}/snapshots/refresh', { params: { path: { id: hostId } }, body: { repository_id: repositoryId } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.jobs.lists() }),
  });
}

/** Follows one job (polling) until it ends; then the host's snapshots are read again. */
export function useWatchedJob(job: Job | null) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: keys.jobs.detail(job?.id ?? 'none'),
    queryFn: async ({ signal }) => {
      const current = await unwrap(api.GET('/v1/jobs/{id}', { signal, params: { path: { id: job?.id ?? '' } } }));
      if (!isActiveJob(current.status)) void queryClient.invalidateQueries({ queryKey: keys.snapshots.ofHost(current.host_id) });
      return current;
    },
    enabled: !!job,
    initialData: job ?? undefined,
    initialDataUpdatedAt: 0,
    refetchInterval: (query) => (query.state.data && isActiveJob(query.state.data.status) ? WATCH_MS : false),
  });
}

// Jobs seen from a host: start a backup, refresh its snapshot list (and watch that job until
// it ends), its snapshots and its latest jobs. The jobs feature owns the job pages; links to
// them are plain URLs (features do not import each other).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import type { CreateBackupRequest, Job } from '@/api/types';
import { isActiveJob } from '@/lib/jobs';

/** Shares the jobs feature's key prefix, so its invalidations reach these lists too. */
const jobsKey = ['jobs'] as const;
const snapshotsKey = (hostId: string) => ['host-snapshots', hostId] as const;

export const RECENT_JOBS = 5;
export const SNAPSHOTS_PAGE_SIZE = 10;
const ACTIVE_REFRESH_MS = 3_000;
const IDLE_REFRESH_MS = 15_000;

export function jobUrl(id: string): string {
  return `/jobs/${id}`;
}

export function hostJobsUrl(hostId: string): string {
  return `/jobs?host_id=${encodeURIComponent(hostId)}`;
}

export function useCreateBackup(hostId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateBackupRequest) => unwrap(api.POST('/v1/hosts/{id}/backups', { params: { path: { id: hostId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...jobsKey, 'list'] }),
  });
}

export function useRefreshSnapshots(hostId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (repositoryId: string) =>
      unwrap(api.POST('/v1/hosts/{id}/snapshots/refresh', { params: { path: { id: hostId } }, body: { repository_id: repositoryId } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...jobsKey, 'list'] }),
  });
}

/** Follows one job (polling) until it ends; then the host's snapshots are read again. */
export function useWatchedJob(job: Job | null) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: [...jobsKey, 'one', job?.id ?? 'none'],
    queryFn: async ({ signal }) => {
      const current = await unwrap(api.GET('/v1/jobs/{id}', { signal, params: { path: { id: job?.id ?? '' } } }));
      if (!isActiveJob(current.status)) void queryClient.invalidateQueries({ queryKey: snapshotsKey(current.host_id) });
      return current;
    },
    enabled: !!job,
    initialData: job ?? undefined,
    initialDataUpdatedAt: 0,
    refetchInterval: (query) => (query.state.data && isActiveJob(query.state.data.status) ? 1_500 : false),
  });
}

export function useHostSnapshots(hostId: string, repositoryId: string | null, page: number) {
  return useQuery({
    queryKey: [...snapshotsKey(hostId), repositoryId, page],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/v1/hosts/{id}/snapshots', {
          signal,
          params: {
            path: { id: hostId },
            query: {
              repository_id: repositoryId ?? undefined,
              limit: SNAPSHOTS_PAGE_SIZE,
              offset: (page - 1) * SNAPSHOTS_PAGE_SIZE,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: IDLE_REFRESH_MS,
  });
}

/** The host's latest jobs; polled faster while one of them runs. A job that ends refreshes the snapshots. */
export function useHostRecentJobs(hostId: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: [...jobsKey, 'list', 'host-recent', hostId],
    queryFn: async ({ signal }) => {
      const list = await unwrap(api.GET('/v1/jobs', { signal, params: { query: { host_id: hostId, limit: RECENT_JOBS } } }));
      const previous = queryClient.getQueryData<{ items: Job[] }>([...jobsKey, 'list', 'host-recent', hostId]);
      const ended = previous?.items.some((p) => isActiveJob(p.status) && list.items.some((j) => j.id === p.id && !isActiveJob(j.status)));
      if (ended) void queryClient.invalidateQueries({ queryKey: snapshotsKey(hostId) });
      return list;
    },
    refetchInterval: (query) => (query.state.data?.items.some((j) => isActiveJob(j.status)) ? ACTIVE_REFRESH_MS : IDLE_REFRESH_MS),
  });
}

// Jobs seen from a host: start a backup, and its latest jobs. The jobs feature owns the job
// pages (linked through `paths`) and the snapshots feature the host's snapshots (refreshed
// through `keys.snapshots.ofHost`); features do not import each other.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { CreateBackupRequest } from '@/api/types';
import { isActiveJob } from '@/lib/jobs';

export const RECENT_JOBS = 5;
const ACTIVE_REFRESH_MS = 3_000;
const IDLE_REFRESH_MS = 15_000;

export function useCreateBackup(hostId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateBackupRequest) => unwrap(api.POST('/v1/hosts/{id}/backups', { params: { path: { id: hostId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.jobs.lists() }),
  });
}

/** The host's latest jobs; polled faster while one of them runs. A job that ends refreshes the snapshots. */
export function useHostRecentJobs(hostId: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: keys.jobs.hostRecent(hostId),
    queryFn: async ({ signal }) => {
      const list = await unwrap(api.GET('/v1/jobs', { signal, params: { query: { host_id: hostId, limit: RECENT_JOBS } } }));
      const previous = queryClient.getQueryData(keys.jobs.hostRecent(hostId));
      const ended = previous?.items.some((p) => isActiveJob(p.status) && list.items.some((j) => j.id === p.id && !isActiveJob(j.status)));
      if (ended) void queryClient.invalidateQueries({ queryKey: keys.snapshots.ofHost(hostId) });
      return list;
    },
    refetchInterval: (query) => (query.state.data?.items.some((j) => isActiveJob(j.status)) ? ACTIVE_REFRESH_MS : IDLE_REFRESH_MS),
  });
}

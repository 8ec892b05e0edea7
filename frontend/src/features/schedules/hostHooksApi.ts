// A host's default hooks: the pre and post commands every schedule of the host runs unless it
// has its own in that slot. Admins only (schedules_hooks): they may hold secrets, so nobody
// else reads them (the server answers 403).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { BackupHooks } from '@/api/types';

export function useHostHooks(hostId: string, { enabled }: { enabled: boolean }) {
  return useQuery({
    queryKey: keys.schedules.hostHooks(hostId),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/hosts/{id}/hooks', { signal, params: { path: { id: hostId } } })),
    enabled,
  });
}

/**
 * Replace the host's default hooks whole (`{}` removes them). They reach the agent with its
 * next config, so the host (its config version) and its schedules (in sync?) are read again.
 */
export function useSetHostHooks(hostId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: BackupHooks) => unwrap(api.PUT('/v1/hosts/{id}/hooks', { params: { path: { id: hostId } }, body })),
    onSuccess: (saved) => {
      queryClient.setQueryData(keys.schedules.hostHooks(hostId), saved);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.schedules.ofHost(hostId) }),
        queryClient.invalidateQueries({ queryKey: keys.hosts.detail(hostId) }),
      ]);
    },
  });
}

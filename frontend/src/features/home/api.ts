// Fleet counts for the home tiles: list_hosts totals (limit=1, one query per status) and
// the hosts waiting for approval. The counts sit under `keys.hosts.all`, so changes made on the
// hosts pages refresh these too.
import { useQuery } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { HostStatus } from '@/api/types';

const REFRESH_MS = 10_000;

export function useHostCount(status: HostStatus | null, enabled: boolean) {
  return useQuery({
    queryKey: keys.hosts.count(status),
    queryFn: async ({ signal }) => {
      const list = await unwrap(
        api.GET('/v1/hosts', { signal, params: { query: { limit: 1, status: status ?? undefined } } }),
      );
      return list.total;
    },
    enabled,
    refetchInterval: REFRESH_MS,
  });
}

export function usePendingCount(enabled: boolean) {
  return useQuery({
    queryKey: keys.pendingHosts,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/pending-hosts', { signal })),
    select: (data) => data.items.length,
    enabled,
    refetchInterval: REFRESH_MS,
  });
}

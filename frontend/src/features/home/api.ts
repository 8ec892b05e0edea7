// Fleet counts for the home tiles: list_hosts counts (`with_total=true&limit=1`, one query per
// status; the server stops counting at 10,000 and says so) and the hosts waiting for approval. The counts sit under `keys.hosts.all`, so changes made on the
// hosts pages refresh these too.
import { useQuery } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { HostStatus } from '@/api/types';

const REFRESH_MS = 10_000;

/** A tile's number: `capped` when there are more than `n` (the server's count stops there). */
export interface Count {
  n: number;
  capped: boolean;
}

export function useHostCount(status: HostStatus | null, enabled: boolean) {
  return useQuery({
    queryKey: keys.hosts.count(status),
    queryFn: async ({ signal }): Promise<Count> => {
      const list = await unwrap(
        api.GET('/v1/hosts', { signal, params: { query: { limit: 1, with_total: true, status: status ?? undefined } } }),
      );
      if (list.total === undefined) throw new Error('The server did not count the hosts.');
      return { n: list.total, capped: list.total_capped ?? false };
    },
    enabled,
    refetchInterval: REFRESH_MS,
  });
}

export function usePendingCount(enabled: boolean) {
  return useQuery({
    queryKey: keys.pendingHosts,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/pending-hosts', { signal })),
    select: (data): Count => ({ n: data.items.length, capped: false }),
    enabled,
    refetchInterval: REFRESH_MS,
  });
}

// Fleet counts for the home tiles: list_hosts counts (`with_total=true&limit=1`, one query per
// status; the server stops counting at 10,000 and says so) and the hosts waiting for approval. The counts sit under `keys.hosts.all`, so changes made on the
// hosts pages refresh these too. The restore drills tile: the fleet's newest drill, under `keys.jobs.lists()`.
import { useQuery } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { HostStatus, Job } from '@/api/types';

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

/**
 * The newest drill across the fleet and what it tells: when it succeeded, the job itself (list
 * rows leave `result` out, and the tile shows the files and the time to restore from it); else
 * (failed, lost, still running…) the newest drill that succeeded, the last verified restore, as
 * its list row. Two requests at most per refresh.
 */
export interface FleetDrills {
  /** Null when no drill has run yet. */
  latest: Job | null;
  /** The newest succeeded drill when `latest` is not one; null when none ever succeeded. */
  lastVerified: Job | null;
}

export function useFleetLastDrill(enabled: boolean) {
  return useQuery({
    queryKey: keys.jobs.fleetLastDrill(),
    queryFn: async ({ signal }): Promise<FleetDrills> => {
      const newest = await unwrap(api.GET('/v1/jobs', { signal, params: { query: { kind: 'drill', limit: 1 } } }));
      const latest = newest.items[0];
      if (!latest) return { latest: null, lastVerified: null };
      if (latest.status === 'succeeded') {
        const whole = latest.result?.drill ? latest : await unwrap(api.GET('/v1/jobs/{id}', { signal, params: { path: { id: latest.id } } }));
        return { latest: whole, lastVerified: null };
      }
      const verified = await unwrap(api.GET('/v1/jobs', { signal, params: { query: { kind: 'drill', status: 'succeeded', limit: 1 } } }));
      return { latest, lastVerified: verified.items[0] ?? null };
    },
    enabled,
    refetchInterval: REFRESH_MS,
  });
}

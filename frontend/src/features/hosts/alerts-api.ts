// Alerts seen from a host: its unresolved alerts (the card; under `keys.alerts.lists()`, so an
// action on the alerts pages refreshes it) and its notification mute. The alerts feature owns the
// alert pages (linked through `paths`); features do not import each other.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import { ALERTS_REFRESH_MS } from '@/lib/alerts';

/** At most this many of a host's unresolved alerts on its page; the alerts page has the rest. */
export const HOST_ALERTS = 20;

export function useHostAlerts(hostId: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.alerts.ofHost(hostId),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/v1/alerts', { signal, params: { query: { host_id: hostId, state: ['open', 'acknowledged'], limit: HOST_ALERTS } } })),
    enabled,
    refetchInterval: ALERTS_REFRESH_MS,
  });
}

export function useHostMute(hostId: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.hosts.mute(hostId),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/hosts/{id}/mute', { signal, params: { path: { id: hostId } } })),
    enabled,
  });
}

/** Mute until a time, or unmute (`null`); the answer is stored at once. */
export function useSetHostMute(hostId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (until: string | null) => unwrap(api.PUT('/v1/hosts/{id}/mute', { params: { path: { id: hostId } }, body: { until } })),
    onSuccess: (mute) => queryClient.setQueryData(keys.hosts.mute(hostId), mute),
  });
}

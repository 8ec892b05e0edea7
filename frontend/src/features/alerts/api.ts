// Alerts API hooks: the filtered list a page at a time by cursor ("Load more"), one alert with
// its events, acknowledge/resolve/snooze (the answer is shown at once, then every alerts read is
// refreshed), the rules and their update, the hosts for the host filter and for names, and the
// notification channels (list, save, delete, test) with what went out over them.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { FIRST_PAGE, nextCursor } from '@/api/paging';
import { keys } from '@/api/queryKeys';
import type { Alert, AlertList, AlertRuleName, ChannelRequest, UpdateAlertRuleRequest } from '@/api/types';
import { ALERTS_REFRESH_MS } from '@/lib/alerts';
import { type AlertFilters, alertsQuery } from './filters';

export const PAGE_SIZE = 50;

/** The alerts, newest first: the pages loaded so far. */
export function useAlerts(filters: AlertFilters) {
  return useInfiniteQuery({
    queryKey: keys.alerts.list(filters),
    initialPageParam: FIRST_PAGE,
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET('/v1/alerts', { signal, params: { query: { ...alertsQuery(filters), limit: PAGE_SIZE, cursor: pageParam } } })),
    getNextPageParam: nextCursor,
    placeholderData: keepPreviousData,
    refetchInterval: ALERTS_REFRESH_MS,
  });
}

/** One alert and its events, oldest first. */
export function useAlert(id: string) {
  return useQuery({
    queryKey: keys.alerts.detail(id),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/alerts/{id}', { signal, params: { path: { id } } })),
    refetchInterval: ALERTS_REFRESH_MS,
  });
}

type CachedList = InfiniteData<AlertList, unknown> | AlertList | undefined;

/** `data` with `alert` in place of its older copy (a paged list or a single page). */
export function replaceAlert(data: CachedList, alert: Alert): CachedList {
  if (!data) return data;
  const swap = (page: AlertList): AlertList => ({ ...page, items: page.items.map((a) => (a.id === alert.id ? alert : a)) });
  return 'pages' in data ? { ...data, pages: data.pages.map(swap) } : swap(data);
}

/** Show the server's answer at once wherever the alert is cached, then read every alerts view again (events, counts, filters). */
function storeAlert(queryClient: QueryClient, alert: Alert) {
  queryClient.setQueriesData<CachedList>({ queryKey: keys.alerts.lists() }, (data) => replaceAlert(data, alert));
  queryClient.setQueryData(keys.alerts.detail(alert.id), (old) => (old ? { ...old, alert } : old));
  return queryClient.invalidateQueries({ queryKey: keys.alerts.all });
}

export type AlertAction = { kind: 'acknowledge' | 'resolve'; id: string } | { kind: 'snooze'; id: string; until: string | null };

/** Acknowledge, resolve or snooze an alert. A `409 alert.resolved` means it ended meanwhile: the views are read again to show how. */
export function useAlertAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: AlertAction) => {
      const path = { id: action.id };
      if (action.kind === 'snooze') return unwrap(api.POST('/v1/alerts/{id}/snooze', { params: { path }, body: { until: action.until } }));
      if (action.kind === 'acknowledge') return unwrap(api.POST('/v1/alerts/{id}/acknowledge', { params: { path } }));
      return unwrap(api.POST('/v1/alerts/{id}/resolve', { params: { path } }));
    },
    onSuccess: (alert) => storeAlert(queryClient, alert),
    onError: () => queryClient.invalidateQueries({ queryKey: keys.alerts.all }),
  });
}

export function useAlertRules() {
  return useQuery({
    queryKey: keys.alerts.rules(),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/alert-rules', { signal })),
  });
}

export function useUpdateAlertRule(rule: AlertRuleName) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateAlertRuleRequest) => unwrap(api.PUT('/v1/alert-rules/{rule}', { params: { path: { rule } }, body })),
    onSuccess: (saved) => queryClient.setQueryData(keys.alerts.rules(), (old) => old?.map((r) => (r.rule === saved.rule ? saved : r))),
  });
}

/** Hosts for the host filter and the rows' host names (first 500, by name). */
export function useHostChoices() {
  return useQuery({
    queryKey: keys.alerts.hostChoices(),
    queryFn: async ({ signal }) => {
      const list = await unwrap(api.GET('/v1/hosts', { signal, params: { query: { limit: 500 } } }));
      return list.items.map((h) => ({ value: h.id, label: h.hostname })).sort((a, b) => a.label.localeCompare(b.label));
    },
    staleTime: 60_000,
  });
}

/** A host's name for a link; `undefined` until read or when gone. */
export function useHostName(id: string | undefined) {
  const q = useQuery({
    queryKey: keys.hosts.detail(id ?? ''),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/hosts/{id}', { signal, params: { path: { id: id ?? '' } } })),
    enabled: Boolean(id),
    retry: false,
  });
  return q.data?.hostname;
}

/** A repository's name for a link; `undefined` until read or when gone. */
export function useRepositoryName(id: string | undefined) {
  const q = useQuery({
    queryKey: keys.repositories.detail(id ?? ''),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/repositories/{id}', { signal, params: { path: { id: id ?? '' } } })),
    enabled: Boolean(id),
    retry: false,
  });
  return q.data?.name;
}

/** Every notification channel (admins only). */
export function useChannels() {
  return useQuery({
    queryKey: keys.channels.list(),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/channels', { signal })),
  });
}

/** Create (no id) or replace a channel; the answer may carry a webhook's secret, shown once. */
export function useSaveChannel(id: string | null) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ChannelRequest) =>
      id === null
        ? unwrap(api.POST('/v1/channels', { body }))
        : unwrap(api.PUT('/v1/channels/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.channels.all }),
  });
}

export function useDeleteChannel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/channels/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.channels.all }),
  });
}

/** "Send test": one message now, outside the delivery queue (its answer is shown, not cached). */
export function useTestChannel(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/v1/channels/{id}/test', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.channels.deliveries(id) }),
  });
}

export const DELIVERIES_PAGE_SIZE = 25;

/** A channel's delivery log, newest first, a page at a time by cursor. */
export function useChannelDeliveries(id: string) {
  return useInfiniteQuery({
    queryKey: keys.channels.deliveries(id),
    initialPageParam: FIRST_PAGE,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/v1/channels/{id}/deliveries', {
          signal,
          params: { path: { id }, query: { limit: DELIVERIES_PAGE_SIZE, cursor: pageParam } },
        }),
      ),
    getNextPageParam: nextCursor,
  });
}

/** What went out about one alert (refreshed with the alert: retries change the states). */
export function useAlertDeliveries(alertId: string) {
  return useQuery({
    queryKey: keys.alerts.deliveries(alertId),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/alerts/{id}/deliveries', { signal, params: { path: { id: alertId } } })),
    refetchInterval: ALERTS_REFRESH_MS,
  });
}

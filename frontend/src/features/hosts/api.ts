// Hosts API hooks: the fleet list (by hostname, a page at a time by cursor, auto-refreshing), one host, tags, repository links, ping
// (one host or the whole fleet), a linked repository's probe, delete; enrollment tokens; announced hosts waiting for approval.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { FIRST_PAGE, nextCursor, pageParams } from '@/api/paging';
import { isUnder, keys } from '@/api/queryKeys';
import type { CreateEnrollmentTokenRequest, Host, HostStatus } from '@/api/types';

export const HOSTS_REFRESH_MS = 5_000;
export const PENDING_REFRESH_MS = 3_000;
export const HOSTS_PAGE_SIZE = 25;

export interface HostFilters {
  q: string;
  tag: string | null;
  status: HostStatus | null;
}

/**
 * The fleet, by hostname: the pages loaded so far ("Load more" asks for the next by cursor; the
 * first page also asks for the count). A filter change is another query, read from its first page.
 */
export function useHosts(filters: HostFilters) {
  return useInfiniteQuery({
    queryKey: keys.hosts.list(filters),
    initialPageParam: FIRST_PAGE,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/v1/hosts', {
          signal,
          params: {
            query: {
              q: filters.q.trim() || undefined,
              tag: filters.tag ?? undefined,
              status: filters.status ?? undefined,
              limit: HOSTS_PAGE_SIZE,
              ...pageParams(pageParam),
            },
          },
        }),
      ),
    getNextPageParam: nextCursor,
    placeholderData: keepPreviousData,
    refetchInterval: HOSTS_REFRESH_MS,
  });
}

/** Tags in use across the fleet (first 500 hosts), for the tag filter and the tag inputs. */
export function useFleetTags() {
  return useQuery({
    queryKey: keys.hosts.tags(),
    queryFn: async ({ signal }) => {
      const list = await unwrap(api.GET('/v1/hosts', { signal, params: { query: { limit: 500 } } }));
      return [...new Set(list.items.flatMap((h) => h.tags))].sort((a, b) => a.localeCompare(b));
    },
    staleTime: 30_000,
  });
}

/**
 * Hosts enrolled at or after `since` (the enrollment token's creation), polled while the
 * add-host dialog waits for the agent. The server filters by `created_after`, so the new host
 * is found however large the fleet; the token's first tag narrows it further when it has one.
 * Newest first.
 */
export function useNewHosts(since: string, tag: string | null, intervalMs: number) {
  return useQuery({
    queryKey: keys.hosts.enrolledSince(since, tag),
    queryFn: async ({ signal }) => {
      const list = await unwrap(
        api.GET('/v1/hosts', {
          signal,
          params: { query: { created_after: since, tag: tag ?? undefined, limit: 50 } },
        }),
      );
      return [...list.items].sort((a, b) => b.created_at.localeCompare(a.created_at));
    },
    refetchInterval: intervalMs,
  });
}

export function useHost(id: string) {
  return useQuery({
    queryKey: keys.hosts.detail(id),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/hosts/{id}', { signal, params: { path: { id } } })),
    refetchInterval: HOSTS_REFRESH_MS,
  });
}

/**
 * After a host edit: store the returned host at once and refresh every other hosts read (under
 * `keys.hosts.all`: the home tiles and the repositories' linked hosts too) in the background.
 * Not awaited on purpose: the editors remount when the saved values arrive, and the caller's
 * own onSuccess (its toast) must run before that.
 */
function useStoreHost() {
  const queryClient = useQueryClient();
  return (host: Host) => {
    queryClient.setQueryData(keys.hosts.detail(host.id), host);
    void queryClient.invalidateQueries({ queryKey: keys.hosts.all, predicate: (q) => !isUnder(q.queryKey, keys.hosts.details()) });
  };
}

export function useUpdateHostTags() {
  const store = useStoreHost();
  return useMutation({
    mutationFn: ({ id, tags }: { id: string; tags: string[] }) =>
      unwrap(api.PATCH('/v1/hosts/{id}', { params: { path: { id } }, body: { tags } })),
    onSuccess: store,
  });
}

export function useSetHostRepositories() {
  const store = useStoreHost();
  return useMutation({
    mutationFn: ({ id, repositoryIds }: { id: string; repositoryIds: string[] }) =>
      unwrap(api.PUT('/v1/hosts/{id}/repositories', { params: { path: { id } }, body: { repository_ids: repositoryIds } })),
    onSuccess: store,
  });
}

/** Queue a test command for every host, or every host with `tag`; answers how many. */
export function usePingHosts() {
  return useMutation({
    mutationFn: (tag: string | null) => unwrap(api.POST('/v1/hosts/ping', { body: { tag: tag ?? undefined } })),
  });
}

export function usePingHost() {
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/hosts/{id}/ping', { params: { path: { id } } })),
  });
}

/**
 * Ask a host's agent to open one of its linked repositories (`restic cat config`) and wait
 * for the answer (the server waits up to 20 s, then answers 504 `agent.no_answer`). A
 * repository restic cannot open is an answer too: `reachable: false` with its error class.
 * Reads nothing cached: nothing to refresh afterwards.
 */
export function useProbeRepository() {
  return useMutation({
    mutationFn: ({ hostId, repositoryId }: { hostId: string; repositoryId: string }) =>
      unwrap(
        api.POST('/v1/hosts/{id}/repositories/{repository_id}/probe', {
          params: { path: { id: hostId, repository_id: repositoryId } },
        }),
      ),
  });
}

/**
 * Delete a host. The deleted host's own query is left alone (refreshing it would answer 404
 * while its page is still shown); the page leaves, then drops it with `useForgetHost`.
 */
export function useDeleteHost() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/hosts/{id}', { params: { path: { id } } })),
    onMutate: (id) =>
      Promise.all(ofHost(id).map((queryKey) => queryClient.cancelQueries({ queryKey }))),
    onSuccess: (_data, id) => {
      void queryClient.invalidateQueries({
        queryKey: keys.hosts.all,
        predicate: (q) => !ofHost(id).some((k) => isUnder(q.queryKey, k)),
      });
    },
  });
}

/** The queries about one host (its record, drill schedule, mute): a deleted host's answer 404. */
function ofHost(id: string) {
  return [keys.hosts.detail(id), keys.hosts.drillSchedule(id), keys.hosts.mute(id)];
}

export function useForgetHost() {
  const queryClient = useQueryClient();
  return (id: string) => ofHost(id).forEach((queryKey) => queryClient.removeQueries({ queryKey }));
}

export function useCreateEnrollmentToken() {
  return useMutation({
    mutationFn: (body: CreateEnrollmentTokenRequest) => unwrap(api.POST('/v1/enrollment-tokens', { body })),
  });
}

/** Repositories to link a host to (read through the API here: features do not share code; the
 * key is the repositories feature's list, so its changes refresh this). */
export function useRepositoryChoices() {
  return useQuery({
    queryKey: keys.repositories.list(),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/repositories', { signal })),
    staleTime: 30_000,
  });
}

/** `enabled`: the list needs hosts_read over all hosts (a host role never shows pending agents). */
export function usePendingHosts(intervalMs: number = PENDING_REFRESH_MS, enabled = true) {
  return useQuery({
    queryKey: keys.pendingHosts,
    enabled,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/pending-hosts', { signal })),
    refetchInterval: intervalMs,
  });
}

function useInvalidatePending() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: keys.pendingHosts }),
      queryClient.invalidateQueries({ queryKey: keys.hosts.all }),
    ]);
}

export function useAcceptPendingHost() {
  const invalidate = useInvalidatePending();
  return useMutation({
    mutationFn: ({ id, tags }: { id: string; tags: string[] }) =>
      unwrap(api.POST('/v1/pending-hosts/{id}/accept', { params: { path: { id } }, body: { tags } })),
    onSuccess: invalidate,
  });
}

export function useRejectPendingHost() {
  const invalidate = useInvalidatePending();
  return useMutation({
    mutationFn: ({ id, message }: { id: string; message?: string }) =>
      unwrap(api.POST('/v1/pending-hosts/{id}/reject', { params: { path: { id } }, body: { message } })),
    onSuccess: invalidate,
  });
}

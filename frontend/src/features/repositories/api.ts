// Repositories API hooks: list, create, update (write-only credentials), delete; and `restic
// init` through a linked host's agent (the hosts linked to a repository, to choose which runs it).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { CreateRepositoryRequest, Host, UpdateRepositoryRequest } from '@/api/types';

export function useRepositories() {
  return useQuery({
    queryKey: keys.repositories.list(),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/repositories', { signal })),
  });
}

function useInvalidateRepos() {
  const queryClient = useQueryClient();
  // The hosts pages read the same list (keys.repositories.list()), so they are refreshed too.
  return () => queryClient.invalidateQueries({ queryKey: keys.repositories.all });
}

export function useCreateRepository() {
  const invalidate = useInvalidateRepos();
  return useMutation({
    mutationFn: (body: CreateRepositoryRequest) => unwrap(api.POST('/v1/repositories', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateRepository() {
  const invalidate = useInvalidateRepos();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateRepositoryRequest }) =>
      unwrap(api.PATCH('/v1/repositories/{id}', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}

export function useDeleteRepository() {
  const invalidate = useInvalidateRepos();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/repositories/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

const HOSTS_PAGE = 500;
const LINKED_REFRESH_MS = 5_000;

/**
 * The hosts linked to a repository, online ones first (read through the hosts API: features do
 * not share code). The list has no repository filter, so every page is read, following
 * `next_cursor` until the last page; a fleet that fits one page is polled, so a host that comes
 * online becomes selectable without a reload.
 */
export function useLinkedHosts(repositoryId: string) {
  return useQuery({
    // Under keys.hosts.all, so changes made on the hosts pages refresh it.
    queryKey: keys.hosts.linkedTo(repositoryId),
    queryFn: async ({ signal }) => {
      const all: Host[] = [];
      let pages = 0;
      let cursor: string | undefined;
      do {
        const page = await unwrap(api.GET('/v1/hosts', { signal, params: { query: { limit: HOSTS_PAGE, cursor } } }));
        all.push(...page.items);
        pages += 1;
        // A page without rows ends it too (a server that kept answering a cursor would loop).
        cursor = page.items.length > 0 ? page.next_cursor : undefined;
      } while (cursor !== undefined);
      const linked = all.filter((h) => h.repository_ids.includes(repositoryId));
      const online = (h: Host) => (h.status === 'online' ? 0 : 1);
      return {
        hosts: linked.sort((a, b) => online(a) - online(b) || a.hostname.localeCompare(b.hostname)),
        pages,
      };
    },
    refetchInterval: (query) => (query.state.data && query.state.data.pages > 1 ? false : LINKED_REFRESH_MS),
  });
}

/** `restic init` of the repository, run by `hostId`'s agent; answers the queued job. */
export function useInitRepository(repositoryId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (hostId: string) =>
      unwrap(api.POST('/v1/repositories/{id}/init', { params: { path: { id: repositoryId } }, body: { host_id: hostId } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.jobs.lists() }),
  });
}

// Repositories API hooks: list, one, create, update (write-only credentials; the delete guard),
// delete; `restic init` and the care operations (forget, prune, check, unlock, stats) through a
// linked host's agent; the retention preview; the repository's maintenance history; and copies
// to a mirror (start one, and the pairs with how far each mirror is behind).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { CreateRepositoryRequest, ForgetGuard, Host, Job, JobKind, RetentionPreviewRequest, UpdateRepositoryRequest } from '@/api/types';
import { isActiveJob } from '@/lib/jobs';
import { asJobRequest, type OperationRequest, type PreviewRequest } from './jobForm';

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

export function useRepository(id: string) {
  return useQuery({
    queryKey: keys.repositories.detail(id),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/repositories/{id}', { signal, params: { path: { id } } })),
  });
}

/**
 * Replace the delete guard (admin). Only `guard` is sent: `env_set`/`env_remove` have server
 * defaults (nothing changes), which the generated type marks required.
 */
export function useUpdateGuard(id: string) {
  const invalidate = useInvalidateRepos();
  return useMutation({
    mutationFn: (guard: ForgetGuard) =>
      unwrap(api.PATCH('/v1/repositories/{id}', { params: { path: { id } }, body: { guard } as UpdateRepositoryRequest })),
    onSuccess: invalidate,
  });
}

/** The care operations, each a job kind of its own; their newest runs make the page's history. */
export const MAINTENANCE_KINDS: readonly JobKind[] = ['forget', 'prune', 'check', 'unlock', 'stats', 'key_add', 'key_remove'];
const PER_KIND = 5;
const ACTIVE_REFRESH_MS = 3_000;
const IDLE_REFRESH_MS = 15_000;

export interface Maintenance {
  /** The newest runs of every care kind together, newest first. */
  recent: Job[];
  /** The newest run of each kind (list rows: no `result`). */
  latest: Partial<Record<JobKind, Job>>;
}

/**
 * The repository's recent maintenance: the newest few jobs of each care kind (one list query
 * per kind, so backups never crowd them out), merged newest first. Polled faster while one
 * has not ended, so "queued: waiting for …" turns into running and done by itself.
 */
export function useMaintenance(repositoryId: string) {
  return useQuery({
    queryKey: keys.jobs.repositoryMaintenance(repositoryId),
    queryFn: async ({ signal }): Promise<Maintenance> => {
      const lists = await Promise.all(
        MAINTENANCE_KINDS.map((kind) =>
          unwrap(api.GET('/v1/jobs', { signal, params: { query: { repository_id: repositoryId, kind, limit: PER_KIND } } })),
        ),
      );
      const latest: Partial<Record<JobKind, Job>> = {};
      MAINTENANCE_KINDS.forEach((kind, i) => {
        const first = lists[i]?.items[0];
        if (first) latest[kind] = first;
      });
      const recent = lists.flatMap((l) => l.items).sort((a, b) => b.created_at.localeCompare(a.created_at));
      return { recent, latest };
    },
    refetchInterval: (query) => (query.state.data?.recent.some((j) => isActiveJob(j.status)) ? ACTIVE_REFRESH_MS : IDLE_REFRESH_MS),
  });
}

/**
 * The newest stats job with its figures: list rows leave out `result`, so the job is read
 * whole once found. Null when stats never ran.
 */
export function useLatestStats(repositoryId: string) {
  return useQuery({
    queryKey: keys.jobs.repositoryStats(repositoryId),
    queryFn: async ({ signal }) => {
      const list = await unwrap(api.GET('/v1/jobs', { signal, params: { query: { repository_id: repositoryId, kind: 'stats', limit: 1 } } }));
      const newest = list.items[0];
      if (!newest) return null;
      return unwrap(api.GET('/v1/jobs/{id}', { signal, params: { path: { id: newest.id } } }));
    },
    refetchInterval: (query) => (query.state.data && isActiveJob(query.state.data.status) ? ACTIVE_REFRESH_MS : IDLE_REFRESH_MS),
  });
}

/** Start a care operation through a linked host's agent; answers the queued job (202). */
export function useStartRepositoryJob(repositoryId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: OperationRequest) =>
      unwrap(api.POST('/v1/repositories/{id}/jobs', { params: { path: { id: repositoryId } }, body: asJobRequest(body) })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.jobs.lists() }),
  });
}

/**
 * Copy this repository's snapshots to a mirror: the job belongs to the mirror (it writes
 * there), so the body goes to the mirror's jobs with this repository as `from_repository_id`.
 */
export function useStartCopy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ mirrorId, body }: { mirrorId: string; body: OperationRequest }) =>
      unwrap(api.POST('/v1/repositories/{id}/jobs', { params: { path: { id: mirrorId } }, body: asJobRequest(body) })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.jobs.lists() }),
  });
}

const COPIES_IDLE_REFRESH_MS = 30_000;

/**
 * The source → mirror pairs this repository is either side of, newest copy first, with how far
 * each mirror is behind. Polled faster while a pair's newest copy has not ended.
 */
export function useRepositoryCopies(repositoryId: string) {
  return useQuery({
    queryKey: keys.jobs.repositoryCopies(repositoryId),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/repositories/{id}/copies', { signal, params: { path: { id: repositoryId } } })),
    refetchInterval: (query) =>
      query.state.data?.items.some((c) => isActiveJob(c.last_status)) ? ACTIVE_REFRESH_MS : COPIES_IDLE_REFRESH_MS,
  });
}

/** Start a key rotation (admin) through a linked, online host: answers the `key_add` job. */
export function useRotateKey(repositoryId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (hostId: string) =>
      unwrap(api.POST('/v1/repositories/{id}/rotate-key', { params: { path: { id: repositoryId } }, body: { host_id: hostId } })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.jobs.lists() }),
        queryClient.invalidateQueries({ queryKey: keys.repositories.detail(repositoryId) }),
      ]),
  });
}

/** What a forget's policy would keep and remove, asked of a linked host's agent; nothing changes. */
export function usePreviewRetention(repositoryId: string) {
  return useMutation({
    mutationFn: (body: PreviewRequest) =>
      unwrap(
        api.POST('/v1/repositories/{id}/retention-preview', {
          params: { path: { id: repositoryId } },
          // `tags` is left out when empty: the server's default, which the generated type marks required.
          body: body as RetentionPreviewRequest,
        }),
      ),
  });
}

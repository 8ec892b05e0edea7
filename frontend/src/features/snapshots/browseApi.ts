// Looking inside a host's snapshots: one directory a page at a time (by offset), a search
// across its snapshots, the host's every snapshot (ids → times and repositories, for headers
// and result chips) and the host itself (its name). The agent reads a snapshot once before it
// can answer (`indexing`): the tree is asked again every second and the search every two
// seconds until that is done.
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { Snapshot, SnapshotTree, TreeSort } from '@/api/types';

/** Entries asked for per page of a directory (the server's default; it allows up to 1,000). */
export const TREE_PAGE_SIZE = 200;
/** How often a snapshot being read is asked about again. */
export const TREE_INDEXING_POLL_MS = 1_000;
export const SEARCH_INDEXING_POLL_MS = 2_000;
/** Paths a search lists at most (the server's default). */
export const SEARCH_LIMIT = 200;
const EVERY_PAGE = 500;
const EVERY_MAX_PAGES = 20;

export interface TreeQuery {
  repositoryId: string | null;
  path: string;
  sort: TreeSort;
  descending: boolean;
  filter: string;
}

/** Where the next page of a directory starts, or none (still being read, or every entry loaded). */
export function nextOffset(last: SnapshotTree): number | undefined {
  if (last.indexing) return undefined;
  const next = last.offset + last.entries.length;
  return last.entries.length > 0 && next < last.total ? next : undefined;
}

/** One directory of a snapshot, the pages loaded so far; asked again every second while the agent reads the snapshot. */
export function useSnapshotTree(hostId: string, snapshotId: string, query: TreeQuery, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: keys.snapshots.tree(hostId, snapshotId, query),
    initialPageParam: 0,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/v1/hosts/{id}/snapshots/{snapshot_id}/tree', {
          signal,
          params: {
            path: { id: hostId, snapshot_id: snapshotId },
            query: {
              repository_id: query.repositoryId ?? undefined,
              path: query.path,
              sort: query.sort,
              descending: query.descending,
              filter: query.filter || undefined,
              offset: pageParam,
              limit: TREE_PAGE_SIZE,
            },
          },
        }),
      ),
    getNextPageParam: nextOffset,
    // Another sort or filter of the same directory keeps its rows while the new order comes;
    // another directory starts empty (its rows are not the old one's).
    placeholderData: (previous, previousQuery) => {
      const before = previousQuery?.queryKey[5];
      return before && before.path === query.path && before.repositoryId === query.repositoryId ? previous : undefined;
    },
    refetchInterval: (q) => (q.state.data?.pages[0]?.indexing ? TREE_INDEXING_POLL_MS : false),
  });
}

export interface SearchQuery {
  q: string;
  repositoryId: string | null;
  snapshotId: string | null;
}

/** A search across the host's snapshots (or one); asked again every two seconds while some are still being read. */
export function useSnapshotSearch(hostId: string, query: SearchQuery, enabled: boolean) {
  return useQuery({
    queryKey: keys.snapshots.search(hostId, query),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/v1/hosts/{id}/snapshots/search', {
          signal,
          params: {
            path: { id: hostId },
            query: {
              q: query.q,
              repository_id: query.repositoryId ?? undefined,
              snapshot_id: query.snapshotId ?? undefined,
              limit: SEARCH_LIMIT,
            },
          },
        }),
      ),
    enabled: enabled && query.q.trim() !== '',
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data && q.state.data.indexing.length > 0 ? SEARCH_INDEXING_POLL_MS : false),
  });
}

/**
 * Every snapshot of the host, in every repository, newest first (up to 10,000): what the
 * browser's header and the search's chips say about a snapshot id (time, repository), and
 * the host page's calendar and timeline.
 */
export function useEverySnapshot(hostId: string, enabled = true) {
  return useQuery({
    queryKey: keys.snapshots.everything(hostId),
    queryFn: async ({ signal }) => {
      const all: Snapshot[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < EVERY_MAX_PAGES; page += 1) {
        const answer = await unwrap(
          api.GET('/v1/hosts/{id}/snapshots', { signal, params: { path: { id: hostId }, query: { limit: EVERY_PAGE, cursor } } }),
        );
        all.push(...answer.items);
        cursor = answer.next_cursor;
        if (!cursor) break;
      }
      return all;
    },
    enabled,
    staleTime: 30_000,
  });
}

/** The host (for its name); the same cache entry as the host page's. */
export function useHostRecord(hostId: string) {
  return useQuery({
    queryKey: keys.hosts.detail(hostId),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/hosts/{id}', { signal, params: { path: { id: hostId } } })),
  });
}

/** The snapshot `id` among the host's (in `repositoryId` when given). */
export function findSnapshot(all: Snapshot[] | undefined, id: string, repositoryId: string | null): Snapshot | undefined {
  return all?.find((s) => s.id === id && (repositoryId === null || s.repository_id === repositoryId));
}

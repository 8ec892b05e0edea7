// Restoring and comparing snapshots: the restore preview (asked of the agent; asked again every
// second while it reads the snapshot), starting a restore (a job), the hosts a restore may go to
// and the diff of two snapshots (asked again after two seconds while sizes are still unknown).
import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import type { components } from '@/api/schema';
import type { CreateRestoreRequest } from './restore';

export const PREVIEW_INDEXING_POLL_MS = 1_000;
export const DIFF_SIZES_POLL_MS = 2_000;
export const DIFF_LIMIT = 1_000;

export function useRestorePreview(hostId: string, body: CreateRestoreRequest, enabled: boolean) {
  return useQuery({
    queryKey: ['snapshots', 'host', hostId, 'restore-preview', body],
    queryFn: ({ signal }) => unwrap(api.POST('/v1/hosts/{id}/restores/preview', { signal, params: { path: { id: hostId } }, body })),
    enabled,
    retry: false,
    gcTime: 0,
    refetchInterval: (q) => (q.state.data?.indexing ? PREVIEW_INDEXING_POLL_MS : false),
  });
}

export function useCreateRestore(hostId: string) {
  return useMutation({
    mutationFn: (body: CreateRestoreRequest) => unwrap(api.POST('/v1/hosts/{id}/restores', { params: { path: { id: hostId } }, body })),
  });
}

/** The fleet (for "another host"); the first 200 hosts. */
export function useRestoreHosts(enabled: boolean) {
  return useQuery({
    queryKey: ['snapshots', 'restore-hosts'],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/hosts', { signal, params: { query: { limit: 200 } } })),
    enabled,
    staleTime: 30_000,
  });
}

export interface DiffQuery {
  against: string | null;
  repositoryId: string | null;
  filter: string;
  /** Only these kinds of change (the server applies them before its limit); all when absent. */
  changes?: components['schemas']['PathChange'][] | null;
}

export function useSnapshotDiff(hostId: string, snapshotId: string, query: DiffQuery) {
  return useQuery({
    queryKey: ['snapshots', 'host', hostId, 'diff', snapshotId, query],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/v1/hosts/{id}/snapshots/{snapshot_id}/diff', {
          signal,
          params: {
            path: { id: hostId, snapshot_id: snapshotId },
            query: {
              against: query.against ?? undefined,
              repository_id: query.repositoryId ?? undefined,
              filter: query.filter || undefined,
              change: query.changes?.length ? query.changes : undefined,
              limit: DIFF_LIMIT,
            },
          },
        }),
      ),
    retry: false,
    refetchInterval: (q) => (q.state.data && !q.state.data.sizes_known ? DIFF_SIZES_POLL_MS : false),
  });
}

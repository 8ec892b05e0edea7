// The repository's scheduled check and its lock state: set or remove the check's schedule
// (PATCH `check_schedule`, admins), what its cron means while it is typed (the schedules
// preview, no host), and the locks read now through a linked host's agent (operators, admins).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { UpdateRepositoryRequest } from '@/api/types';
import type { CheckScheduleRequest } from './checkSchedule';

/**
 * Set the check's schedule whole, or remove it (`null`). Only `check_schedule` is sent:
 * `env_set`/`env_remove` have server defaults (nothing changes), which the generated type marks
 * required. The answer is the repository, stored at once so the section shows it.
 */
export function useSetCheckSchedule(repositoryId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (checkSchedule: CheckScheduleRequest | null) =>
      unwrap(
        api.PATCH('/v1/repositories/{id}', {
          params: { path: { id: repositoryId } },
          body: { check_schedule: checkSchedule } as UpdateRepositoryRequest,
        }),
      ),
    onSuccess: (repository) => {
      queryClient.setQueryData(keys.repositories.detail(repositoryId), repository);
      return queryClient.invalidateQueries({ queryKey: keys.repositories.all });
    },
  });
}

/**
 * What `cron` means in `timezone`: the sentence and the next fires, or the server's refusal as
 * the error. The caller debounces; a refusal is not retried, and the last answer stays up while
 * the next one is asked. No host: the zone is always given.
 */
export function useCheckCronPreview(cron: string, timezone: string) {
  const expression = cron.trim();
  const zone = timezone.trim();
  return useQuery({
    // The schedules' preview key: the same question (a cron in a zone) has the same answer.
    queryKey: keys.schedules.preview(expression, zone || null, ''),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/v1/schedules/preview', { signal, params: { query: { cron: expression, timezone: zone || undefined } } })),
    enabled: expression !== '',
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    retry: false,
  });
}

/**
 * The repository's locks, read now by a linked host's agent (`hostId`, or the first online one).
 * It waits for the agent (up to ~20 s), so it is asked only when someone clicks: a mutation,
 * never refetched on focus or by an invalidation.
 */
export function useCheckLocks(repositoryId: string) {
  return useMutation({
    mutationFn: (hostId: string | null) =>
      unwrap(
        api.GET('/v1/repositories/{id}/locks', {
          params: { path: { id: repositoryId }, query: hostId ? { host_id: hostId } : {} },
        }),
      ),
  });
}

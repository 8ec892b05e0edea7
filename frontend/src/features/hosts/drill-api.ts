// A host's restore drill schedule: read it (everyone), set it whole or remove it (schedules_manage),
// and what its cron means while it is typed (the schedules' preview, read in the host's zone by default).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { SetDrillScheduleRequest } from '@/api/types';

export function useDrillSchedule(hostId: string) {
  return useQuery({
    queryKey: keys.hosts.drillSchedule(hostId),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/hosts/{id}/drill-schedule', { signal, params: { path: { id: hostId } } })),
    // The next fire moves on by itself once it passes: read it again now and then.
    refetchInterval: 60_000,
  });
}

/** Set the schedule whole; the answer is stored at once so the card shows it without a second read. */
export function useSetDrillSchedule(hostId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SetDrillScheduleRequest) =>
      unwrap(api.PUT('/v1/hosts/{id}/drill-schedule', { params: { path: { id: hostId } }, body })),
    onSuccess: (schedule) => {
      queryClient.setQueryData(keys.hosts.drillSchedule(hostId), { schedule });
      return queryClient.invalidateQueries({ queryKey: keys.hosts.drillSchedule(hostId) });
    },
  });
}

export function useRemoveDrillSchedule(hostId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/hosts/{id}/drill-schedule', { params: { path: { id: hostId } } })),
    onSuccess: () => {
      queryClient.setQueryData(keys.hosts.drillSchedule(hostId), {});
      return queryClient.invalidateQueries({ queryKey: keys.hosts.drillSchedule(hostId) });
    },
  });
}

/**
 * What `cron` means read in `timezone` (null: the host's zone): a sentence and the next fires, or
 * the server's refusal as the error. The caller debounces; a refusal is not retried (a 4xx will
 * not change), and the last answer stays up while the next one is asked. The same question as
 * the backup schedules' editor asks, under the same key, so the two share answers.
 */
export function useDrillCronPreview(cron: string, timezone: string | null, hostId: string) {
  const expression = cron.trim();
  return useQuery({
    queryKey: keys.schedules.preview(expression, timezone, hostId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/v1/schedules/preview', {
          signal,
          params: { query: { cron: expression, timezone: timezone ?? undefined, host_id: hostId } },
        }),
      ),
    enabled: expression !== '',
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    retry: false,
  });
}

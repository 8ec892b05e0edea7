// Schedules API hooks: a host's schedules (polled faster while its agent catches up or a run
// is under way), create / replace / delete, "Run now", and the cron preview. A change bumps the
// host's config version, so the host itself is read again too (its "Configuration" fact). And
// the retention preview: what the editor's rules would keep and remove in the repository.
// Preflight: "Check" a draft or a stored schedule (the server's findings and its agent's, with
// the command it would run), and a check of each saved schedule in the background; the
// `restic backup` options a schedule may add.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { PreflightDraftRequest, RetentionPreviewRequest, Schedule, ScheduleList, ScheduleRequest } from '@/api/types';
import { isActiveJob } from '@/lib/jobs';
import type { PreviewRequest } from './form';

/** While the agent has not applied the latest set, or a schedule's last run has not ended. */
export const BUSY_REFRESH_MS = 2_000;
/** Otherwise: the next fires move on, and a schedule may have fired. */
export const IDLE_REFRESH_MS = 15_000;

/** Something on the list is about to change by itself: the agent's ack or a run's end. */
export function isBusy(list: ScheduleList | undefined): boolean {
  if (!list) return false;
  return !list.in_sync || list.items.some((s) => s.last_run !== undefined && isActiveJob(s.last_run.status));
}

export function useHostSchedules(hostId: string) {
  return useQuery({
    queryKey: keys.schedules.ofHost(hostId),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/hosts/{id}/schedules', { signal, params: { path: { id: hostId } } })),
    refetchInterval: (query) => (isBusy(query.state.data) ? BUSY_REFRESH_MS : IDLE_REFRESH_MS),
  });
}

/** After a change: the host's schedules and the host (its config version moved). */
function useRefreshHost(hostId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: keys.schedules.ofHost(hostId) }),
      queryClient.invalidateQueries({ queryKey: keys.hosts.detail(hostId) }),
    ]);
}

/**
 * After a save: ask the agent to check the saved schedule (it may take up to the server's ask
 * timeout) and read the list again when it answers, so the row shows the agent's findings. A
 * failure here is not the save's: the list keeps the server's own findings.
 */
function useCheckInBackground(hostId: string) {
  const queryClient = useQueryClient();
  return (id: string) => {
    void unwrap(api.POST('/v1/schedules/{id}/preflight', { params: { path: { id } } }))
      .catch(() => undefined)
      .then(() => queryClient.invalidateQueries({ queryKey: keys.schedules.ofHost(hostId) }));
  };
}

interface SaveOptions {
  /** Check the saved schedule on its agent afterwards (the editor; not enable/disable). */
  checkAfter?: boolean;
}

export function useCreateSchedule(hostId: string, { checkAfter = false }: SaveOptions = {}) {
  const refresh = useRefreshHost(hostId);
  const check = useCheckInBackground(hostId);
  return useMutation({
    mutationFn: (body: ScheduleRequest) => unwrap(api.POST('/v1/hosts/{id}/schedules', { params: { path: { id: hostId } }, body })),
    onSuccess: async (saved: Schedule) => {
      await refresh();
      if (checkAfter) check(saved.id);
    },
  });
}

export function useReplaceSchedule(hostId: string, { checkAfter = false }: SaveOptions = {}) {
  const refresh = useRefreshHost(hostId);
  const check = useCheckInBackground(hostId);
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ScheduleRequest }) =>
      unwrap(api.PUT('/v1/schedules/{id}', { params: { path: { id } }, body })),
    onSuccess: async (saved: Schedule) => {
      await refresh();
      if (checkAfter) check(saved.id);
    },
  });
}

/** "Check now" on a stored schedule: the agent's findings become its newest; the list is read again. */
export function usePreflightSchedule(hostId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/schedules/{id}/preflight', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.schedules.ofHost(hostId) }),
  });
}

/** "Check" in the editor: the schedule as written (nothing is stored); a 400 is the save's refusal. */
export function usePreflightDraft(hostId: string) {
  return useMutation({
    mutationFn: (body: PreflightDraftRequest) =>
      unwrap(api.POST('/v1/hosts/{id}/schedules/preflight', { params: { path: { id: hostId } }, body })),
  });
}

/** The `restic backup` options a schedule may add; fixed for a server version, so read once. */
export function useBackupOptions() {
  return useQuery({
    queryKey: keys.schedules.backupOptions(),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/backup-options', { signal })),
    staleTime: Infinity,
    retry: false,
  });
}

export function useDeleteSchedule(hostId: string) {
  const refresh = useRefreshHost(hostId);
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/schedules/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
}

/** "Run now" with the schedule's own settings (`{}`); answers the started job, shown as the schedule's last run. */
export function useRunSchedule(hostId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/schedules/{id}/run', { params: { path: { id } }, body: {} })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.schedules.ofHost(hostId) }),
        queryClient.invalidateQueries({ queryKey: keys.jobs.lists() }),
        // The host's header shows its last scheduled run: this one, from now on.
        queryClient.invalidateQueries({ queryKey: keys.hosts.detail(hostId) }),
      ]),
  });
}

/**
 * What `cron` means read in `timezone` (null: the host's zone): a sentence and the next 5 fires,
 * or the server's refusal as the query's error. The caller debounces `cron`; a refused
 * expression is not retried (a 4xx will not change), and the last answer stays up while the
 * next one is asked so the panel does not flicker while typing.
 */
export function useCronPreview(cron: string, timezone: string | null, hostId: string) {
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

/**
 * Ask a linked host's agent what the rules would keep and remove (`restic forget --dry-run`;
 * nothing changes). The server waits for the agent up to its ask timeout (20 s) and answers
 * 409 `retention.preview_failed` / `host.offline` or 504 `agent.no_answer` with a message.
 */
export function usePreviewRetention() {
  return useMutation({
    mutationFn: ({ repositoryId, body }: { repositoryId: string; body: PreviewRequest }) =>
      unwrap(
        api.POST('/v1/repositories/{id}/retention-preview', {
          params: { path: { id: repositoryId } },
          // `tags` is left out when empty: the server's default, which the generated type marks required.
          body: body as RetentionPreviewRequest,
        }),
      ),
  });
}

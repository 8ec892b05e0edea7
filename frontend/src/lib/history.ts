// How long the server keeps history ([history] in its config), for the lists that show it:
// the jobs list and the audit log say what goes and when, so nobody is surprised by a gap.
import { useQuery } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { HistorySettings } from '@/api/types';

export function useHistorySettings() {
  return useQuery({
    queryKey: keys.historySettings,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/history-settings', { signal })),
    staleTime: 5 * 60_000,
  });
}

const days = (n: number) => (n === 1 ? '1 day' : `${n} days`);

/** "Logs are kept 30 days after a job ends; …", or null while unknown. */
export function jobsRetentionText(h: HistorySettings | undefined): string | null {
  if (!h) return null;
  const logs = h.job_logs_days > 0 ? `Job logs are kept ${days(h.job_logs_days)} after a job ends` : 'Job logs are kept for ever';
  const jobs =
    h.jobs_days > 0
      ? `ended jobs ${days(h.jobs_days)} (each host's newest ${h.jobs_keep_per_host} and every backup whose snapshot still exists are always kept)`
      : 'jobs for ever';
  return `${logs}; ${jobs}.`;
}

/** "Events are kept 400 days; …", or null while unknown. */
export function auditRetentionText(h: HistorySettings | undefined): string | null {
  if (!h) return null;
  return h.audit_days > 0
    ? `Events are kept ${days(h.audit_days)}; the chain is verified from where older events were removed.`
    : 'Events are kept for ever.';
}

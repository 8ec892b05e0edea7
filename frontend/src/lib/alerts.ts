// Words, colors and shared reads for alerts, used by the alerts pages, the navigation's badge,
// the home tile and the host page's card (features cannot import each other, so they live here).
import { useQuery } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { AlertEventKind, AlertRuleName, AlertSeverity, AlertState } from '@/api/types';

/** How often the unresolved counts (badge, home tile) and the alert lists are read again. */
export const ALERTS_REFRESH_MS = 15_000;

export const SEVERITY_META: Record<AlertSeverity, { label: string; color: string }> = {
  critical: { label: 'Critical', color: 'red' },
  error: { label: 'Error', color: 'orange' },
  warning: { label: 'Warning', color: 'yellow' },
  info: { label: 'Info', color: 'blue' },
};

export const ALERT_STATE_META: Record<AlertState, { label: string; color: string; help: string }> = {
  open: { label: 'Open', color: 'red', help: 'Nobody has taken it on yet.' },
  acknowledged: { label: 'Acknowledged', color: 'yellow', help: 'Someone is on it; it stays until the problem is gone.' },
  resolved: { label: 'Resolved', color: 'gray', help: 'The problem is gone, or someone closed it.' },
};

export const RULE_LABEL: Record<AlertRuleName, string> = {
  backup_failed: 'Backup failed',
  backup_warning: 'Backup warning',
  job_lost: 'Job lost',
  check_failed: 'Check failed',
  maintenance_failed: 'Forget or prune failed',
  restore_failed: 'Restore failed',
  restore_succeeded: 'Restore succeeded',
  drill_failed: 'Restore drill failed',
  agent_offline: 'Agent offline',
  nothing_ran: 'Nothing ran',
  rpo_missed: 'RPO missed',
  unscheduled: 'No schedule',
  job_stuck: 'Job not completing',
  repository_locked: 'Repository locked',
  guard_tripped: 'Delete guard tripped',
  version_behind: 'Version behind',
  unusual_change: 'Unusual change',
};

export const EVENT_KIND_LABEL: Record<AlertEventKind, string> = {
  opened: 'Opened',
  repeated: 'Seen again',
  escalated: 'Escalated',
  acknowledged: 'Acknowledged',
  snoozed: 'Snoozed',
  resolved: 'Resolved',
};

/** Who did something to an alert: a person's name, or Cairn when the server did it by itself. */
export function alertActor(actor: string | undefined): string {
  return actor || 'Cairn';
}

/** Quiet periods offered for a snooze or a mute; the server takes at most 30 days. */
export const QUIET_PRESETS: readonly { key: string; label: string; seconds: number }[] = [
  { key: '1h', label: '1 hour', seconds: 3600 },
  { key: '4h', label: '4 hours', seconds: 4 * 3600 },
  { key: '1d', label: '1 day', seconds: 86_400 },
  { key: '1w', label: '1 week', seconds: 7 * 86_400 },
];

/** The RFC 3339 time `seconds` from `now`. */
export function quietUntil(seconds: number, now: number = Date.now()): string {
  return new Date(now + seconds * 1000).toISOString();
}

/** Whether a snooze or mute time is still ahead. */
export function isQuiet(until: string | undefined, now: number = Date.now()): boolean {
  return !!until && new Date(until).getTime() > now;
}

/** Unresolved alerts by state and severity; shared by the navigation's badge and the home tile (one request). */
export function useAlertSummary(enabled = true) {
  return useQuery({
    queryKey: keys.alerts.summary(),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/alerts/summary', { signal })),
    enabled,
    refetchInterval: ALERTS_REFRESH_MS,
  });
}

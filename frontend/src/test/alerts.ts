// Fixtures for alerts, built on the generated types: an alert, its events, a rule and the
// unresolved summary, with the ids the other fixtures use for their host and repository.
import type { Alert, AlertEvent, AlertRule, AlertSummary } from '@/api/types';

export const ALERT_ID = '50000000-0000-4000-8000-000000000001';
export const ALERT_HOST_ID = '10000000-0000-4000-8000-000000000001';
export const ALERT_REPO_ID = '30000000-0000-4000-8000-000000000001';
export const ALERT_JOB_ID = '40000000-0000-4000-8000-000000000001';

export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: ALERT_ID,
    rule: 'backup_failed',
    subject_kind: 'schedule',
    subject_id: '60000000-0000-4000-8000-000000000001',
    host_id: ALERT_HOST_ID,
    repository_id: ALERT_REPO_ID,
    job_id: ALERT_JOB_ID,
    severity: 'error',
    state: 'open',
    title: 'Backup of web-01 to office-nas failed',
    message: 'restic exited with status 1: repository is locked',
    details: { error_class: 'restic.locked' },
    count: 3,
    opened_at: new Date(Date.now() - 3 * 3600_000).toISOString(),
    last_seen_at: new Date(Date.now() - 600_000).toISOString(),
    ...overrides,
  };
}

export function makeAlertEvent(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return { kind: 'opened', at: new Date(Date.now() - 3 * 3600_000).toISOString(), severity: 'error', details: {}, ...overrides };
}

export function makeAlertRule(overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    rule: 'agent_offline',
    description: 'An agent has not been in touch for `minutes` (15, range 2–10,080).',
    enabled: true,
    severity: 'error',
    params: { minutes: 15 },
    customised: false,
    ...overrides,
  };
}

export function makeAlertSummary(overrides: Partial<AlertSummary> = {}): AlertSummary {
  return { open: 0, acknowledged: 0, info: 0, warning: 0, error: 0, critical: 0, ...overrides };
}

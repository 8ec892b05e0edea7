// Fixtures for alerts, built on the generated types: an alert, its events, a rule, the
// unresolved summary, a notification channel and a delivery, with the ids the other fixtures use for their host and repository.
import type { Alert, AlertEvent, AlertRule, AlertSummary, Channel, Delivery } from '@/api/types';

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
    description: 'An agent has not been in touch for `minutes`. Resolved when it is back.',
    enabled: true,
    severity: 'error',
    params: { minutes: 15 },
    thresholds: [{ name: 'minutes', default: 15, min: 2, max: 10_080 }],
    customised: false,
    ...overrides,
  };
}

export function makeAlertSummary(overrides: Partial<AlertSummary> = {}): AlertSummary {
  return { open: 0, acknowledged: 0, info: 0, warning: 0, error: 0, critical: 0, ...overrides };
}

export const CHANNEL_ID = '70000000-0000-4000-8000-000000000001';

export function makeChannel(overrides: Partial<Channel> = {}): Channel {
  return {
    id: CHANNEL_ID,
    name: 'ops mail',
    enabled: true,
    settings: { kind: 'email', host: 'smtp.example.org', port: 587, security: 'starttls', username: 'cairn', from: 'cairn@example.org', to: ['ops@example.org'] },
    has_secret: true,
    min_severity: 'warning',
    rules: [],
    created_at: '2025-03-01T09:00:00Z',
    updated_at: '2025-03-01T09:00:00Z',
    ...overrides,
  };
}

export function makeDelivery(overrides: Partial<Delivery> = {}): Delivery {
  return {
    id: '80000000-0000-4000-8000-000000000001',
    alert_id: ALERT_ID,
    channel_id: CHANNEL_ID,
    channel_name: 'ops mail',
    event: 'opened',
    state: 'delivered',
    attempts: 1,
    last_status: 250,
    created_at: new Date(Date.now() - 3 * 3600_000).toISOString(),
    delivered_at: new Date(Date.now() - 3 * 3600_000 + 2000).toISOString(),
    ...overrides,
  };
}

// Fixtures for schedules, built on the generated types.
import type { CronPreview, Schedule, ScheduleList } from '@/api/types';
import { HOST_ID, REPO_ID } from './jobs';

export const SCHEDULE_ID = '50000000-0000-4000-8000-000000000001';

export function makeSchedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    id: SCHEDULE_ID,
    host_id: HOST_ID,
    repository_id: REPO_ID,
    name: 'nightly',
    cron: '0 3 * * *',
    description: 'Every day at 03:00',
    effective_timezone: 'Europe/Berlin',
    enabled: true,
    backup: { paths: ['/etc', '/home'], excludes: ['*.tmp'], exclude_files: [], tags: [], one_file_system: false, extra_options: [] },
    retention: { keep_daily: 7, keep_weekly: 4, keep_tags: [] },
    forget_after_backup: true,
    prune_after_forget: false,
    missed: 'run_once',
    has_hooks: false,
    state: 'ready',
    findings: [],
    next_fires: [
      '2090-01-02T02:00:00Z',
      '2090-01-03T02:00:00Z',
      '2090-01-04T02:00:00Z',
      '2090-01-05T02:00:00Z',
      '2090-01-06T02:00:00Z',
    ],
    created_at: '2025-03-01T10:00:00Z',
    updated_at: '2025-03-01T10:00:00Z',
    ...overrides,
  };
}

export function makeScheduleList(items: Schedule[], overrides: Partial<ScheduleList> = {}): ScheduleList {
  return { items, config_version: 3, applied_config_version: 3, in_sync: true, ...overrides };
}

/** The server's preview of a cron expression: a sentence and five fires a day apart from 2090-01-02. */
export function makePreview(overrides: Partial<CronPreview> = {}): CronPreview {
  return {
    description: 'Every day at 03:00',
    timezone: 'Europe/Berlin',
    next_fires: Array.from({ length: 5 }, (_, i) => `2090-01-0${i + 2}T02:00:00Z`),
    ...overrides,
  };
}

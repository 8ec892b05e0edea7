// Fixtures for jobs and snapshots, built on the generated types, and signed-in users whose
// permissions match the server's table including jobs_run (operators and admins).
import type { ForgetSnapshot, Job, JobProgress, LogLine, Me, Role, Snapshot } from '@/api/types';
import { makeMe } from './utils';

export const HOST_ID = '10000000-0000-4000-8000-000000000001';
export const REPO_ID = '30000000-0000-4000-8000-000000000001';
export const JOB_ID = '40000000-0000-4000-8000-000000000001';

/** `makeMe` for the jobs pages: the server's table already grants jobs_run to operators and admins. */
export function makeJobsMe(role: Role = 'operator'): Me {
  return makeMe(role);
}

export function makeJob(overrides: Partial<Job> = {}): Job {
  return {
    id: JOB_ID,
    host_id: HOST_ID,
    hostname: 'web-01',
    repository_id: REPO_ID,
    repository_name: 'office-nas',
    kind: 'backup',
    status: 'running',
    actor_kind: 'user',
    actor: 'ada',
    backup: { paths: ['/etc', '/home'], excludes: ['*.tmp'], tags: ['manual'], exclude_files: [], one_file_system: false, extra_options: [] },
    created_at: '2025-03-01T10:00:00Z',
    dispatched_at: '2025-03-01T10:00:01Z',
    started_at: '2025-03-01T10:00:02Z',
    log_lines: 0,
    ...overrides,
  };
}

export function makeProgress(overrides: Partial<JobProgress> = {}): JobProgress {
  return {
    fraction: 0.5,
    total_files: 2000,
    files_done: 1000,
    total_bytes: 4 * 1024 * 1024 * 1024,
    bytes_done: 2 * 1024 * 1024 * 1024,
    seconds_elapsed: 60,
    seconds_remaining: 65,
    current_files: ['/home/ada/big.iso'],
    ...overrides,
  };
}

export function makeLogLine(seq: number, overrides: Partial<LogLine> = {}): LogLine {
  return { seq, at: '2025-03-01T10:00:03Z', stream: 'stdout', line: `line ${seq}`, ...overrides };
}

export function makeSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
    short_id: 'a1b2c3d4',
    time: '2025-03-01T10:05:00Z',
    hostname: 'web-01',
    paths: ['/etc', '/home'],
    tags: ['manual'],
    repository_id: REPO_ID,
    repository_name: 'office-nas',
    data_added: 1_572_864,
    job_id: JOB_ID,
    ...overrides,
  };
}

/** A snapshot in a forget's report: `n` hours before 2025-03-01 10:00 UTC, with 64-hex id `n` repeated. */
export function makeForgetSnapshot(n: number, reasons: string[] = []): ForgetSnapshot {
  return {
    id: String(n % 10).repeat(64),
    time: new Date(Date.parse('2025-03-01T10:00:00Z') - n * 3_600_000).toISOString(),
    hostname: 'web-01',
    paths: ['/etc'],
    tags: [],
    reasons,
  };
}

import { describe, expect, it } from 'vitest';
import { auditRetentionText, jobsRetentionText } from './history';

const settings = { job_logs_days: 30, jobs_days: 180, jobs_keep_per_host: 20, audit_days: 400 };

describe('retention sentences', () => {
  it('say what goes and what always stays', () => {
    expect(jobsRetentionText(settings)).toBe(
      "Job logs are kept 30 days after a job ends; ended jobs 180 days (each host's newest 20 and every backup whose snapshot still exists are always kept).",
    );
    expect(auditRetentionText(settings)).toMatch(/^Events are kept 400 days;/);
  });

  it('say "for ever" for a part that is never pruned, and nothing while unknown', () => {
    expect(jobsRetentionText({ ...settings, job_logs_days: 0, jobs_days: 0 })).toBe('Job logs are kept for ever; jobs for ever.');
    expect(auditRetentionText({ ...settings, audit_days: 0 })).toBe('Events are kept for ever.');
    expect(jobsRetentionText(undefined)).toBeNull();
  });
});

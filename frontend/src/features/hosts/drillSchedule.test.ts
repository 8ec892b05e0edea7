// The drill schedule's pure parts: presets whatever the spacing, the form ↔ request mapping (the
// host's zone left out, MiB to bytes), the checks that mirror the server's limits, and the sentence's pieces.
import { describe, expect, it } from 'vitest';
import {
  CUSTOM_DRILL_PRESET,
  drillPresetOf,
  drillScheduleRequest,
  drillScheduleValues,
  inSentence,
  newDrillScheduleValues,
  sampleSize,
  validateDrillSchedule,
} from './drillSchedule';

const REPO = '30000000-0000-4000-8000-000000000001';

describe('drill schedule form', () => {
  it('knows its presets whatever the spacing', () => {
    expect(drillPresetOf(' 0  5 * * 0 ')).toBe('weekly');
    expect(drillPresetOf('30 4 * * *')).toBe('daily');
    expect(drillPresetOf('0 5 1 * *')).toBe('monthly');
    expect(drillPresetOf('0 6 * * 1')).toBe(CUSTOM_DRILL_PRESET);
  });

  it('preselects the only repository, and none of several', () => {
    expect(newDrillScheduleValues([REPO]).repositoryId).toBe(REPO);
    expect(newDrillScheduleValues([REPO, 'other']).repositoryId).toBeNull();
    expect(newDrillScheduleValues([]).repositoryId).toBeNull();
  });

  it('sends MiB as bytes and leaves the host’s zone out', () => {
    const values = { ...newDrillScheduleValues([REPO]), cron: ' 0  5 * * 0', files: 30, maxMib: '250' };
    expect(drillScheduleRequest(values)).toEqual({ repository_id: REPO, cron: '0 5 * * 0', files: 30, max_bytes: 250 * 1024 * 1024 });
    expect(drillScheduleRequest({ ...values, timezone: 'Europe/Berlin' }).timezone).toBe('Europe/Berlin');
  });

  it('reads a stored schedule back, rounding odd bytes up to whole MiB', () => {
    const values = drillScheduleValues({
      repository_id: REPO,
      cron: '0 5 * * 0',
      effective_timezone: 'UTC',
      description: 'at 05:00 on Sunday',
      files: 20,
      max_bytes: 1000,
      updated_at: '2025-03-01T10:00:00Z',
    });
    expect(values).toEqual({ repositoryId: REPO, cron: '0 5 * * 0', timezone: '', files: 20, maxMib: 1 });
  });

  it('checks what the server checks', () => {
    const ok = newDrillScheduleValues([REPO]);
    expect(validateDrillSchedule(ok)).toEqual({});
    const errors = validateDrillSchedule({ repositoryId: null, cron: '0 5 * *', timezone: '', files: 1001, maxMib: '' });
    expect(Object.keys(errors).sort()).toEqual(['cron', 'files', 'maxMib', 'repositoryId']);
    expect(validateDrillSchedule({ ...ok, files: 0 }).files).toBeDefined();
    expect(validateDrillSchedule({ ...ok, maxMib: 10 * 1024 + 1 }).maxMib).toBeDefined();
    expect(validateDrillSchedule({ ...ok, maxMib: 1.5 }).maxMib).toBeDefined();
  });

  it('writes the sentence’s pieces', () => {
    expect(inSentence('At 05:00 on Sunday')).toBe('at 05:00 on Sunday');
    expect(inSentence('UTC midnight')).toBe('UTC midnight');
    expect(sampleSize({ files: 20, max_bytes: 100 * 1024 * 1024 })).toBe('20 files, ≤ 100 MiB');
    expect(sampleSize({ files: 1, max_bytes: 10 * 1024 ** 3 })).toBe('1 file, ≤ 10.0 GiB');
  });
});

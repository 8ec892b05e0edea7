// The check schedule's pure parts: the PATCH body (empty fields left out), the checks that
// mirror the server's, the presets, and the sentence's pieces.
import { describe, expect, it } from 'vitest';
import {
  CUSTOM_CHECK_PRESET,
  checkPresetOf,
  checkScheduleRequest,
  checkScheduleValues,
  inSentence,
  isDue,
  newCheckScheduleValues,
  validateCheckSchedule,
} from './checkSchedule';

describe('check schedule values', () => {
  it('suggests a weekly check reading 5 % in the given zone, through any host', () => {
    expect(newCheckScheduleValues('Europe/Berlin')).toEqual({ cron: '0 4 * * 0', timezone: 'Europe/Berlin', readDataSubset: '5%', hostId: null });
  });

  it('sends only what is set, with the cron’s spacing made plain', () => {
    expect(checkScheduleRequest({ cron: ' 0  4 1 * * ', timezone: 'UTC', readDataSubset: ' ', hostId: null })).toEqual({ cron: '0 4 1 * *', timezone: 'UTC' });
    expect(checkScheduleRequest({ cron: '0 4 * * *', timezone: 'Europe/Paris', readDataSubset: '1/5', hostId: 'h-1' })).toEqual({
      cron: '0 4 * * *',
      timezone: 'Europe/Paris',
      read_data_subset: '1/5',
      host_id: 'h-1',
    });
  });

  it('reads a stored schedule back into the form', () => {
    expect(checkScheduleValues({ cron: '0 4 * * 0', timezone: 'UTC', description: 'At 04:00 on Sunday' })).toEqual({
      cron: '0 4 * * 0',
      timezone: 'UTC',
      readDataSubset: '',
      hostId: null,
    });
  });

  it('knows its presets whatever the spacing', () => {
    expect(checkPresetOf('0 4 * * 0')).toBe('weekly');
    expect(checkPresetOf(' 0 4  1 * * ')).toBe('monthly');
    expect(checkPresetOf('0 4 * * *')).toBe('daily');
    expect(checkPresetOf('30 2 * * 6')).toBe(CUSTOM_CHECK_PRESET);
  });

  it('refuses an empty cron, a wrong field count, no zone and an unreadable subset', () => {
    expect(validateCheckSchedule({ cron: '', timezone: 'UTC', readDataSubset: '', hostId: null })).toHaveProperty('cron');
    expect(validateCheckSchedule({ cron: '0 4 * *', timezone: 'UTC', readDataSubset: '', hostId: null })).toHaveProperty('cron');
    expect(validateCheckSchedule({ cron: '0 4 * * 0', timezone: ' ', readDataSubset: '', hostId: null })).toHaveProperty('timezone');
    expect(validateCheckSchedule({ cron: '0 4 * * 0', timezone: 'UTC', readDataSubset: 'half', hostId: null })).toEqual({
      readDataSubset: 'A percentage (5%), a part (1/5) or a size (500M)',
    });
    for (const subset of ['5%', '2.5%', '1/5', '500M', '1024']) {
      expect(validateCheckSchedule({ cron: '@weekly', timezone: 'UTC', readDataSubset: subset, hostId: null })).toEqual({});
    }
  });
});

describe('the sentence', () => {
  it('puts the server’s words inside a sentence, leaving acronyms alone', () => {
    expect(inSentence('At 04:00 on Sunday')).toBe('at 04:00 on Sunday');
    expect(inSentence('Every day at 04:00')).toBe('every day at 04:00');
    expect(inSentence('UTC midnight')).toBe('UTC midnight');
  });

  it('takes a past next fire as due', () => {
    const now = Date.parse('2025-03-01T10:00:00Z');
    expect(isDue('2025-03-01T09:59:00Z', now)).toBe(true);
    expect(isDue('2025-03-02T04:00:00Z', now)).toBe(false);
    expect(isDue(undefined, now)).toBe(false);
  });
});

// Fire times on the schedule's own clock: the zone's wall time, the year only when it is not
// this one, and UTC for a zone the browser does not know.
import { describe, expect, it } from 'vitest';
import { formatInZone, timeZones } from './zones';

const NOW = new Date('2026-12-06T12:00:00Z');

describe('formatInZone', () => {
  it('writes an instant as the clock in the zone shows it', () => {
    // 02:00 UTC is 03:00 in Berlin in winter and 04:00 in summer (daylight saving time).
    expect(formatInZone('2026-12-07T02:00:00Z', 'Europe/Berlin', NOW)).toMatch(/Dec 7.*03:00/);
    expect(formatInZone('2026-07-07T02:00:00Z', 'Europe/Berlin', NOW)).toMatch(/Jul 7.*04:00/);
    expect(formatInZone('2026-12-07T02:00:00Z', 'America/New_York', NOW)).toMatch(/Dec 6.*21:00/);
  });

  it('adds the year only when it is not this one', () => {
    expect(formatInZone('2026-12-07T02:00:00Z', 'UTC', NOW)).not.toMatch(/2026/);
    expect(formatInZone('2027-01-01T03:00:00Z', 'UTC', NOW)).toMatch(/2027/);
  });

  it('falls back to UTC for a zone this browser does not know, and leaves a non-date alone', () => {
    expect(formatInZone('2026-12-07T02:00:00Z', 'Mars/Olympus_Mons', NOW)).toMatch(/02:00 UTC/);
    expect(formatInZone('soon', 'UTC', NOW)).toBe('soon');
  });
});

describe('timeZones', () => {
  it('offers UTC first, once, and the IANA zones', () => {
    const zones = timeZones();
    expect(zones[0]).toBe('UTC');
    expect(zones.filter((z) => z === 'UTC')).toHaveLength(1);
    expect(zones).toContain('Europe/Berlin');
  });
});

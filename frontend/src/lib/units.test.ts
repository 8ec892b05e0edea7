// Human units used by the job and snapshot pages.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatTotal, percent, secondsBetween } from './units';

describe('units', () => {
  it('formats bytes with three significant digits in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(10.5 * 1024 * 1024)).toBe('10.5 MiB');
    expect(formatBytes(undefined)).toBe('—');
  });

  it('formats durations for people', () => {
    expect(formatDuration(0.44)).toBe('0.4 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(2 * 3600 + 7 * 60 + 30)).toBe('2 h 07 min');
    expect(formatDuration(3 * 86_400 + 4 * 3600)).toBe('3 d 4 h');
    expect(formatDuration(null)).toBe('—');
  });

  it('counts, percents and spans', () => {
    expect(formatCount(1234567)).toBe(new Intl.NumberFormat().format(1234567));
    expect(percent(0.999)).toBe(99);
    expect(percent(1.2)).toBe(100);
    expect(percent(undefined)).toBe(0);
    expect(secondsBetween('2025-03-01T10:00:00Z', '2025-03-01T10:02:30Z')).toBe(150);
    expect(secondsBetween(undefined)).toBeNull();
  });

  it('shows a capped list count with a plus', () => {
    expect(formatTotal(1234)).toBe(new Intl.NumberFormat().format(1234));
    expect(formatTotal(10_000, true)).toBe(`${new Intl.NumberFormat().format(10_000)}+`);
    expect(formatTotal(0)).toBe('0');
  });
});

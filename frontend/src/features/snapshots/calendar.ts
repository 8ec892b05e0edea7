// Day and month arithmetic for the snapshot calendar and timeline, in the browser's time zone:
// a snapshot's day, months as one comparable number, a month's Monday-first grid.
import type { Snapshot } from '@/api/types';

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of a local date. */
export function dayKey(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The local day a snapshot was taken. */
export function snapshotDay(s: Pick<Snapshot, 'time'>): string {
  return dayKey(new Date(s.time));
}

/** One snapshot among every repository's (a mirror keeps the id). */
export function snapshotKey(s: Pick<Snapshot, 'id' | 'repository_id'>): string {
  return `${s.repository_id}:${s.id}`;
}

/** Months counted from year 0, so months compare and step as numbers. */
export function monthOf(date: Date): number {
  return date.getFullYear() * 12 + date.getMonth();
}

/** The month of a `YYYY-MM-DD` day. */
export function monthOfDay(day: string): number {
  const [y = 0, m = 1] = day.split('-').map(Number);
  return y * 12 + (m - 1);
}

/** The first day of a month number (local midnight). */
export function monthStart(month: number): Date {
  return new Date(Math.floor(month / 12), month % 12, 1);
}

/** The local date of a `YYYY-MM-DD` day. */
export function dayDate(day: string): Date {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

/** A month's days in Monday-first weeks; `null` fills the first and last week. */
export function monthGrid(month: number): (Date | null)[] {
  const first = monthStart(month);
  const lead = (first.getDay() + 6) % 7;
  const days = new Date(first.getFullYear(), first.getMonth() + 1, 0).getDate();
  const cells: (Date | null)[] = Array.from({ length: lead }, () => null);
  for (let d = 1; d <= days; d += 1) cells.push(new Date(first.getFullYear(), first.getMonth(), d));
  while (cells.length % 7 !== 0) cells.push(null);
  return cells;
}

/** Newest first, whatever order the list came in. */
export function newestFirst(snapshots: Snapshot[]): Snapshot[] {
  return [...snapshots].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}

/** The snapshots of each local day, newest first. */
export function snapshotsByDay(snapshots: Snapshot[]): Map<string, Snapshot[]> {
  const days = new Map<string, Snapshot[]>();
  for (const s of newestFirst(snapshots)) {
    const key = snapshotDay(s);
    const list = days.get(key);
    if (list) list.push(s);
    else days.set(key, [s]);
  }
  return days;
}

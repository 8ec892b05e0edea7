// The snapshot calendar on fixed local dates (time-zone independent): opens on the newest month,
// Monday-first weeks, counts per day, month navigation and its limits, picking a day (mouse and
// keyboard) lists its snapshots with size, files and the browser link.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '@/api/types';
import { HOST_ID, REPO_ID, makeSnapshot } from '@/test/jobs';
import { renderWithProviders } from '@/test/utils';
import { SnapshotCalendar } from './SnapshotCalendar';

const GiB = 1024 ** 3;

function snap(n: number, date: Date, extra: Partial<Snapshot> = {}): Snapshot {
  const short = `c0ffee0${n}`;
  return makeSnapshot({ id: short.repeat(8), short_id: short, time: date.toISOString(), ...extra });
}

// Newest first, as the server lists them; December 2025 has one without a size (made outside Cairn).
const late = snap(1, new Date(2026, 0, 14, 15), { size: 2.1 * GiB, files: 12_345, data_added: 3 * 1024 * 1024 });
const early = snap(2, new Date(2026, 0, 14, 3), { size: 2 * GiB, files: 12_000 });
const monday = snap(3, new Date(2026, 0, 5, 9), { size: 1.9 * GiB, files: 11_000 });
const outside = snap(4, new Date(2025, 11, 24, 12), { size: undefined, files: undefined, data_added: undefined, job_id: undefined });
const oldest = snap(5, new Date(2025, 10, 30, 23), { size: GiB, files: 9_000 });
const all = [late, early, monday, outside, oldest];

function Harness({ snapshots, highlight = null }: { snapshots: Snapshot[]; highlight?: string | null }) {
  const [day, setDay] = useState<string | null>(null);
  return <SnapshotCalendar hostId={HOST_ID} snapshots={snapshots} selectedDay={day} onSelectDay={setDay} highlight={highlight} />;
}

function setup(snapshots = all) {
  renderWithProviders(<Harness snapshots={snapshots} />);
  return { user: userEvent.setup(), calendar: screen.getByTestId('snapshot-calendar') };
}

/** `YYYY-MM-DD` → count of the days that have snapshots in the month shown. */
function counts(): Record<string, number> {
  const days = screen.getAllByTestId('calendar-day').filter((d) => d.getAttribute('data-count') !== '0');
  const found: Record<string, number> = {};
  for (const d of days) found[d.getAttribute('data-date') ?? ''] = Number(d.getAttribute('data-count'));
  return found;
}

const day = (date: string) => screen.getAllByTestId('calendar-day').find((d) => d.getAttribute('data-date') === date);

describe('SnapshotCalendar', () => {
  it('opens on the newest snapshot’s month with Monday-first weeks and a count on each day', () => {
    setup();
    expect(screen.getByTestId('calendar-month')).toHaveTextContent('January 2026');
    expect(counts()).toEqual({ '2026-01-05': 1, '2026-01-14': 2 });
    expect(screen.getAllByTestId('calendar-day')).toHaveLength(31);
    // 5 January 2026 was a Monday: the first column.
    const cells = Array.from(day('2026-01-05')?.parentElement?.children ?? []);
    expect(cells.indexOf(day('2026-01-05') as Element) % 7).toBe(0);
    expect(cells.indexOf(day('2026-01-01') as Element)).toBe(3);
    expect(day('2026-01-14')).toHaveAccessibleName(/: 2 snapshots$/);
    expect(day('2026-01-05')).toHaveAccessibleName(/: 1 snapshot$/);
    expect(day('2026-01-14')?.tagName).toBe('BUTTON');
    // A day without snapshots is plain text, out of the Tab order.
    expect(day('2026-01-06')?.tagName).not.toBe('BUTTON');
    expect(day('2026-01-06')).not.toHaveAttribute('tabindex');
    expect(screen.getByText(/Days in your time zone/)).toBeInTheDocument();
    expect(screen.getByTestId('calendar-day-list')).toHaveTextContent('Pick a highlighted day');
  });

  it('steps through the months between the oldest and newest snapshot, and no further', async () => {
    const { user } = setup();
    const prev = screen.getByRole('button', { name: 'Previous month' });
    const next = screen.getByRole('button', { name: 'Next month' });
    expect(next).toBeDisabled();
    expect(prev).toBeEnabled();
    await user.click(prev);
    expect(screen.getByTestId('calendar-month')).toHaveTextContent('December 2025');
    expect(counts()).toEqual({ '2025-12-24': 1 });
    expect(next).toBeEnabled();
    await user.click(prev);
    expect(screen.getByTestId('calendar-month')).toHaveTextContent('November 2025');
    expect(counts()).toEqual({ '2025-11-30': 1 });
    expect(prev).toBeDisabled();
    await user.click(next);
    await user.click(next);
    expect(screen.getByTestId('calendar-month')).toHaveTextContent('January 2026');
    expect(next).toBeDisabled();
  });

  it('lists a picked day’s snapshots newest first, with size, files, data added and the browser link', async () => {
    const { user } = setup();
    await user.click(day('2026-01-14') as HTMLElement);
    expect(day('2026-01-14')).toHaveAttribute('aria-pressed', 'true');
    const list = screen.getByTestId('calendar-day-list');
    expect(list).toHaveTextContent('2 snapshots');
    const items = within(list).getAllByTestId('calendar-snapshot');
    expect(items.map((i) => i.getAttribute('data-snapshot-id'))).toEqual([late.id, early.id]);
    const [first] = items as [HTMLElement];
    expect(first).toHaveTextContent('c0ffee01');
    expect(first).toHaveTextContent('office-nas');
    expect(first).toHaveTextContent('2.10 GiB');
    expect(first).toHaveTextContent('12,345 files');
    expect(first).toHaveTextContent('3.00 MiB added');
    expect(within(first).getByRole('link', { name: 'Browse and restore snapshot c0ffee01' })).toHaveAttribute(
      'href',
      `/hosts/${HOST_ID}/snapshots/${late.id}?repo=${REPO_ID}`,
    );
    expect(within(first).getByRole('link', { name: 'What changed in snapshot c0ffee01' }).getAttribute('href')).toContain(
      `/hosts/${HOST_ID}/snapshots/${late.id}`,
    );
  });

  it('says when a snapshot has no recorded size', async () => {
    const { user } = setup();
    await user.click(screen.getByRole('button', { name: 'Previous month' }));
    await user.click(day('2025-12-24') as HTMLElement);
    const item = screen.getByTestId('calendar-snapshot');
    expect(item).toHaveAttribute('data-snapshot-id', outside.id);
    expect(item).toHaveTextContent('no size recorded');
    expect(item).not.toHaveTextContent('files');
  });

  it('moves between days with snapshots by arrow keys and picks one with Enter', async () => {
    const { user } = setup();
    (day('2026-01-05') as HTMLElement).focus();
    await user.keyboard('{ArrowRight}');
    expect(day('2026-01-14')).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(day('2026-01-05')).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    // 12 January has none: Down goes on down the column… to nothing, so the focus stays.
    expect(day('2026-01-05')).toHaveFocus();
    await user.keyboard('{ArrowRight}{Enter}');
    expect(screen.getAllByTestId('calendar-snapshot')).toHaveLength(2);
  });

  it('points out the highlighted snapshot in its day', () => {
    renderWithProviders(
      <SnapshotCalendar hostId={HOST_ID} snapshots={all} selectedDay="2026-01-14" onSelectDay={() => undefined} highlight={`${REPO_ID}:${early.id}`} />,
    );
    const items = screen.getAllByTestId('calendar-snapshot');
    expect(items[1]).toHaveAttribute('data-highlighted', 'true');
    expect(items[0]).not.toHaveAttribute('data-highlighted');
  });
});

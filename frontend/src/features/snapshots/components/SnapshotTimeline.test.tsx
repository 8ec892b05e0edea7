// The sizes timeline: one bar per snapshot with a size, oldest to newest, labelled for screen
// readers; clicking or Enter picks the snapshot; too few sizes draw nothing.
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '@/api/types';
import { formatDateTime } from '@/lib/format';
import { REPO_ID, makeSnapshot } from '@/test/jobs';
import { renderWithProviders } from '@/test/utils';
import { SnapshotTimeline } from './SnapshotTimeline';

const MiB = 1024 * 1024;

function snap(n: number, date: Date, size: number | undefined): Snapshot {
  const short = `beef000${n}`;
  return makeSnapshot({ id: short.repeat(8), short_id: short, time: date.toISOString(), size });
}

const newest = snap(1, new Date(2026, 5, 3, 2), 300 * MiB);
const middle = snap(2, new Date(2026, 5, 2, 2), undefined);
const older = snap(3, new Date(2026, 5, 1, 2), 150 * MiB);
const oldest = snap(4, new Date(2026, 4, 20, 2), 100 * MiB);

function setup(snapshots: Snapshot[], highlight: string | null = null) {
  const onSelect = vi.fn();
  renderWithProviders(<SnapshotTimeline snapshots={snapshots} highlight={highlight} onSelect={onSelect} />);
  return { onSelect, user: userEvent.setup() };
}

describe('SnapshotTimeline', () => {
  it('draws one labelled, focusable bar per snapshot with a size, oldest first', () => {
    setup([newest, middle, older, oldest]);
    const bars = screen.getAllByTestId('timeline-bar');
    expect(bars.map((b) => b.getAttribute('data-snapshot-id'))).toEqual([oldest.id, older.id, newest.id]);
    expect(bars[2]).toHaveAccessibleName(`Snapshot beef0001, ${formatDateTime(newest.time)}, 300 MiB`);
    expect(bars[0]).toHaveAttribute('tabindex', '0');
    expect(bars[0]).toHaveAttribute('role', 'button');
    expect(screen.getByTestId('timeline-largest')).toHaveTextContent('300 MiB');
    // Bar heights follow the sizes: the largest is the tallest.
    const height = (b: Element) => Number(b.querySelectorAll('rect')[1]?.getAttribute('height'));
    expect(height(bars[2] as Element)).toBeGreaterThan(height(bars[1] as Element));
    expect(height(bars[1] as Element)).toBeGreaterThan(height(bars[0] as Element));
    // Bars stand in time order from left to right.
    const left = (b: Element) => Number(b.querySelectorAll('rect')[1]?.getAttribute('x'));
    expect(left(bars[0] as Element)).toBeLessThan(left(bars[1] as Element));
    expect(left(bars[1] as Element)).toBeLessThan(left(bars[2] as Element));
  });

  it('picks a snapshot by click and by Enter, and shows the picked one', async () => {
    const { onSelect, user } = setup([newest, older, oldest], `${REPO_ID}:${older.id}`);
    const bars = screen.getAllByTestId('timeline-bar');
    expect(bars[1]).toHaveAttribute('aria-pressed', 'true');
    expect(bars[0]).toHaveAttribute('aria-pressed', 'false');
    await user.click(bars[2] as HTMLElement);
    expect(onSelect).toHaveBeenLastCalledWith(newest);
    (bars[0] as HTMLElement).focus();
    await user.keyboard('{Enter}');
    expect(onSelect).toHaveBeenLastCalledWith(oldest);
    await user.tab();
    expect(bars[1]).toHaveFocus();
    await user.keyboard(' ');
    expect(onSelect).toHaveBeenLastCalledWith(older);
    expect(onSelect).toHaveBeenCalledTimes(3);
  });

  it('draws nothing when fewer than two snapshots have a size', () => {
    setup([newest, middle]);
    expect(screen.queryByTestId('snapshot-timeline')).not.toBeInTheDocument();
  });
});

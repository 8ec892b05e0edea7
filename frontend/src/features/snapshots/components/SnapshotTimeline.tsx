// The snapshots' sizes over time as a small bar chart (one focusable bar per snapshot whose size
// Cairn recorded); picking a bar asks for that snapshot's day in the calendar.
import { Box, Group, Text } from '@mantine/core';
import { useState, type KeyboardEvent } from 'react';
import type { Snapshot } from '@/api/types';
import { formatDateTime } from '@/lib/format';
import { formatBytes } from '@/lib/units';
import { snapshotKey } from '../calendar';

export interface SnapshotTimelineProps {
  snapshots: Snapshot[];
  /** The snapshot to show as picked (`snapshotKey`). */
  highlight?: string | null;
  onSelect: (s: Snapshot) => void;
}

// Drawing units: the SVG stretches to the card's width (preserveAspectRatio none), the height stays.
const W = 1000;
const H = 96;
const PAD = 4;
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function barLabel(s: Snapshot): string {
  return `Snapshot ${s.short_id}, ${formatDateTime(s.time)}, ${formatBytes(s.size)}`;
}

export function SnapshotTimeline({ snapshots, highlight = null, onSelect }: SnapshotTimelineProps) {
  const [focused, setFocused] = useState<string | null>(null);
  const sized = snapshots.filter((s) => s.size !== undefined).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const first = sized[0];
  const last = sized.at(-1);
  // One size says nothing about change over time.
  if (sized.length < 2 || !first || !last) return null;

  const t0 = Date.parse(first.time);
  const span = Date.parse(last.time) - t0;
  const largest = Math.max(...sized.map((s) => s.size ?? 0));
  const slot = (W - 2 * PAD) / sized.length;
  const barW = Math.min(24, Math.max(3, slot * 0.7));
  const x = (s: Snapshot, i: number) =>
    span > 0 ? PAD + ((Date.parse(s.time) - t0) / span) * (W - 2 * PAD - barW) : PAD + i * slot + (slot - barW) / 2;
  const height = (s: Snapshot) => (largest > 0 ? Math.max(2, ((s.size ?? 0) / largest) * (H - 2 * PAD)) : 2);

  const keyDown = (e: KeyboardEvent<SVGGElement>, s: Snapshot) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(s);
    }
  };

  return (
    <Box data-testid="snapshot-timeline">
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" c="dimmed">
          Snapshot sizes over time
        </Text>
        <Text size="xs" c="dimmed" data-testid="timeline-largest">
          Largest {formatBytes(largest)}
        </Text>
      </Group>
      <svg
        width="100%"
        height={H}
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="group"
        aria-label="Snapshot sizes over time"
        style={{ display: 'block' }}
      >
        <line x1={0} x2={W} y1={H - PAD} y2={H - PAD} stroke="var(--mantine-color-default-border)" vectorEffect="non-scaling-stroke" />
        {sized.map((s, i) => {
          const key = snapshotKey(s);
          const h = height(s);
          const left = x(s, i);
          const picked = key === highlight;
          const isFocused = key === focused;
          return (
            <g
              key={key}
              role="button"
              tabIndex={0}
              aria-label={barLabel(s)}
              aria-pressed={picked}
              data-testid="timeline-bar"
              data-snapshot-id={s.id}
              data-repository-id={s.repository_id}
              onClick={() => onSelect(s)}
              onKeyDown={(e) => keyDown(e, s)}
              onFocus={() => setFocused(key)}
              onBlur={() => setFocused((f) => (f === key ? null : f))}
              style={{ cursor: 'pointer', outline: 'none' }}
            >
              <title>{barLabel(s)}</title>
              {/* The whole column answers clicks: small snapshots have short bars. */}
              <rect
                x={left - 2}
                y={0}
                width={barW + 4}
                height={H - PAD}
                fill={isFocused ? 'var(--mantine-color-default-hover)' : 'transparent'}
                stroke={isFocused ? 'var(--mantine-color-text)' : 'none'}
                strokeWidth={1.5}
                vectorEffect="non-scaling-stroke"
              />
              <rect
                x={left}
                y={H - PAD - h}
                width={barW}
                height={h}
                rx={1}
                fill={picked ? 'var(--mantine-color-orange-filled)' : 'var(--mantine-color-blue-filled)'}
              />
            </g>
          );
        })}
      </svg>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" c="dimmed" data-testid="timeline-oldest">
          {dateOnly.format(new Date(first.time))}
        </Text>
        <Text size="xs" c="dimmed" data-testid="timeline-newest">
          {dateOnly.format(new Date(last.time))}
        </Text>
      </Group>
    </Box>
  );
}

// A month of the host's snapshots for a point-in-time restore: days with snapshots are buttons
// (with their count); picking one lists its snapshots with sizes, "Browse and restore" and "What changed".
import { ActionIcon, Box, Group, Paper, SimpleGrid, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import type { Snapshot } from '@/api/types';
import { formatBytes, formatCount } from '@/lib/units';
import { SnapshotLinks } from './SnapshotLinks';
import { dayDate, dayKey, monthGrid, monthOf, monthOfDay, monthStart, newestFirst, snapshotKey, snapshotsByDay } from '../calendar';

export interface SnapshotCalendarProps {
  hostId: string;
  /** The snapshots to show (at least one). */
  snapshots: Snapshot[];
  /** The picked day, `YYYY-MM-DD` in local time. */
  selectedDay: string | null;
  onSelectDay: (day: string) => void;
  /** A snapshot to point out in the day's list (`snapshotKey`), e.g. picked on the timeline. */
  highlight?: string | null;
}

const monthTitle = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });
const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'full' });
const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const weekdayLong = new Intl.DateTimeFormat(undefined, { weekday: 'long' });
// 1 January 2024 was a Monday: the week's header in the browser's language.
const WEEK = Array.from({ length: 7 }, (_, i) => new Date(2024, 0, 1 + i));

const plural = (n: number) => `${formatCount(n)} ${n === 1 ? 'snapshot' : 'snapshots'}`;

const cell: CSSProperties = {
  height: 44,
  minWidth: 0,
  borderRadius: 'var(--mantine-radius-sm)',
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  justifyContent: 'center',
  gap: 2,
};

function timeZoneName(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return '';
  }
}

/** What a Cairn backup recorded about the snapshot; restic does not say for others. */
function SnapshotNumbers({ s }: { s: Snapshot }) {
  const parts: string[] = [];
  if (s.size !== undefined) parts.push(`${formatBytes(s.size)}`);
  if (s.files !== undefined) parts.push(`${formatCount(s.files)} ${s.files === 1 ? 'file' : 'files'}`);
  if (s.data_added !== undefined) parts.push(`${formatBytes(s.data_added)} added`);
  return (
    <Text size="xs" c="dimmed" data-testid="calendar-snapshot-numbers">
      {parts.length ? parts.join(' · ') : 'Made outside Cairn: no size recorded'}
    </Text>
  );
}

function DaySnapshot({ hostId, s, highlighted }: { hostId: string; s: Snapshot; highlighted: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Picked on the timeline: bring it into view (jsdom has no scrollIntoView).
    if (highlighted) ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [highlighted]);
  return (
    <Paper
      ref={ref}
      withBorder
      radius="sm"
      p="xs"
      data-testid="calendar-snapshot"
      data-snapshot-id={s.id}
      data-repository-id={s.repository_id}
      data-highlighted={highlighted || undefined}
      style={highlighted ? { borderColor: 'var(--mantine-color-orange-filled)', boxShadow: '0 0 0 1px var(--mantine-color-orange-filled)' } : undefined}
    >
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Box miw={0}>
          <Group gap="xs" wrap="wrap">
            <Text size="sm" fw={600}>
              {timeOfDay.format(new Date(s.time))}
            </Text>
            <Text size="sm" ff="monospace">
              {s.short_id}
            </Text>
            <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
              {s.repository_name ?? 'repository'}
            </Text>
          </Group>
          <SnapshotNumbers s={s} />
        </Box>
        <SnapshotLinks hostId={hostId} snapshot={s} browse="Browse and restore" wrap />
      </Group>
    </Paper>
  );
}

export function SnapshotCalendar({ hostId, snapshots, selectedDay, onSelectDay, highlight = null }: SnapshotCalendarProps) {
  const byDay = useMemo(() => snapshotsByDay(snapshots), [snapshots]);
  const [newest, oldest] = useMemo(() => {
    const sorted = newestFirst(snapshots);
    const first = sorted[0];
    const last = sorted.at(-1);
    const now = monthOf(new Date());
    return [first ? monthOf(new Date(first.time)) : now, last ? monthOf(new Date(last.time)) : now];
  }, [snapshots]);

  const [month, setMonth] = useState(() => (selectedDay ? monthOfDay(selectedDay) : newest));
  // A day picked elsewhere (the timeline) shows its month.
  const [seenDay, setSeenDay] = useState(selectedDay);
  if (selectedDay !== seenDay) {
    setSeenDay(selectedDay);
    if (selectedDay) setMonth(monthOfDay(selectedDay));
  }
  const shown = Math.min(Math.max(month, oldest), newest);
  const title = monthTitle.format(monthStart(shown));
  const cells = monthGrid(shown);
  const grid = useRef<HTMLDivElement>(null);

  // Arrow keys move between the days that have snapshots (the only buttons in the grid).
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const buttons = Array.from(grid.current?.querySelectorAll<HTMLButtonElement>('button[data-date]') ?? []);
    const i = buttons.findIndex((b) => b === document.activeElement);
    const current = buttons[i];
    if (!current) return;
    let target: HTMLButtonElement | undefined;
    if (e.key === 'ArrowLeft') target = buttons[i - 1];
    else if (e.key === 'ArrowRight') target = buttons[i + 1];
    else if (e.key === 'Home') target = buttons[0];
    else if (e.key === 'End') target = buttons.at(-1);
    else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const step = e.key === 'ArrowUp' ? -7 : 7;
      const from = dayDate(current.dataset.date ?? '');
      for (let k = 1; k <= 5 && !target; k += 1) {
        const key = dayKey(new Date(from.getFullYear(), from.getMonth(), from.getDate() + step * k));
        target = buttons.find((b) => b.dataset.date === key);
      }
    } else return;
    e.preventDefault();
    target?.focus();
  };

  const picked = selectedDay ? (byDay.get(selectedDay) ?? []) : [];
  const zone = timeZoneName();

  return (
    <Stack gap="sm" data-testid="snapshot-calendar">
      <Box w="100%" maw={420}>
        <Group justify="space-between" wrap="nowrap" mb="xs">
          <ActionIcon
            variant="subtle"
            size="lg"
            aria-label="Previous month"
            data-testid="calendar-prev"
            disabled={shown <= oldest}
            onClick={() => setMonth(shown - 1)}
          >
            <IconChevronLeft size={18} />
          </ActionIcon>
          <Text fw={600} data-testid="calendar-month" aria-live="polite">
            {title}
          </Text>
          <ActionIcon
            variant="subtle"
            size="lg"
            aria-label="Next month"
            data-testid="calendar-next"
            disabled={shown >= newest}
            onClick={() => setMonth(shown + 1)}
          >
            <IconChevronRight size={18} />
          </ActionIcon>
        </Group>
        <SimpleGrid cols={7} spacing={4} verticalSpacing={4} aria-hidden mb={4}>
          {WEEK.map((d) => (
            <Text key={d.getDay()} size="xs" c="dimmed" ta="center" title={weekdayLong.format(d)}>
              {weekday.format(d)}
            </Text>
          ))}
        </SimpleGrid>
        <SimpleGrid ref={grid} cols={7} spacing={4} verticalSpacing={4} role="group" aria-label={`Snapshots in ${title}`} onKeyDown={onKeyDown}>
          {cells.map((date, i) => {
            if (!date) return <Box key={`pad-${i}`} style={cell} />;
            const key = dayKey(date);
            const count = byDay.get(key)?.length ?? 0;
            if (count === 0) {
              return (
                <Box key={key} data-testid="calendar-day" data-date={key} data-count={0} style={cell}>
                  <Text size="sm" c="dimmed">
                    {date.getDate()}
                  </Text>
                </Box>
              );
            }
            const selected = key === selectedDay;
            return (
              <UnstyledButton
                key={key}
                data-testid="calendar-day"
                data-date={key}
                data-count={count}
                aria-label={`${longDate.format(date)}: ${plural(count)}`}
                aria-pressed={selected}
                onClick={() => onSelectDay(key)}
                style={{
                  ...cell,
                  background: selected ? 'var(--mantine-color-blue-filled)' : 'var(--mantine-color-blue-light)',
                  color: selected ? 'var(--mantine-color-white)' : 'var(--mantine-color-blue-light-color)',
                }}
              >
                <Text size="sm" fw={700} lh={1} c="inherit">
                  {date.getDate()}
                </Text>
                <Text fz={10} lh={1} fw={600} c="inherit" aria-hidden>
                  {count > 99 ? '99+' : count}
                </Text>
              </UnstyledButton>
            );
          })}
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt="xs">
          Days in your time zone{zone ? ` (${zone})` : ''}. The number on a day is how many snapshots it has.
        </Text>
      </Box>

      <Stack gap="xs" data-testid="calendar-day-list" aria-live="polite">
        {selectedDay ? (
          <>
            <Text size="sm" fw={600}>
              {fullDate.format(dayDate(selectedDay))} · {plural(picked.length)}
            </Text>
            {picked.map((s) => (
              <DaySnapshot key={snapshotKey(s)} hostId={hostId} s={s} highlighted={highlight === snapshotKey(s)} />
            ))}
          </>
        ) : (
          <Text size="sm" c="dimmed">
            Pick a highlighted day to see its snapshots and restore from one.
          </Text>
        )}
      </Stack>
    </Stack>
  );
}

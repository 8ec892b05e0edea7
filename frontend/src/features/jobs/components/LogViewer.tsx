// The job's log: monospace, only the rows on screen are rendered (fixed row height), stderr
// tinted, the agent's own notes marked [agent] and what a schedule's hooks printed [hook], follows new lines while the view is at the bottom and pauses when scrolled up.
import { Badge, Box, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useElementSize, useMergedRef } from '@mantine/hooks';
import { IconArrowDown, IconDownload } from '@tabler/icons-react';
import { useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import type { LogLine } from '@/api/types';
import { formatCount } from '@/lib/units';
import { useFollowScroll } from '../hooks/useFollowScroll';
import { visibleRange } from '../logView';

export const ROW_HEIGHT = 20;
const MIN_HEIGHT = 120;
/** Assumed viewport before the box is measured (and in tests, where nothing has a size). */
const FALLBACK_VIEWPORT = 600;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

function clock(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? '' : timeFormat.format(date);
}

const streamStyle: Record<string, CSSProperties> = {
  stderr: { background: 'var(--mantine-color-red-light)', color: 'var(--mantine-color-red-light-color)' },
  agent: { color: 'var(--mantine-color-blue-light-color)', fontStyle: 'italic' },
  hook: { color: 'var(--mantine-color-grape-light-color)', background: 'var(--mantine-color-grape-light)' },
};

/** The marker before a line that is not restic's own output. */
const STREAM_MARK: Record<string, string> = { agent: '[agent] ', hook: '[hook] ' };

function Row({ line, top }: { line: LogLine; top: number }) {
  return (
    <div
      data-testid="log-line"
      data-seq={line.seq}
      data-stream={line.stream}
      style={{
        position: 'absolute',
        top,
        left: 0,
        minWidth: '100%',
        height: ROW_HEIGHT,
        lineHeight: `${ROW_HEIGHT}px`,
        whiteSpace: 'pre',
        paddingInline: 'var(--mantine-spacing-xs)',
        ...streamStyle[line.stream],
      }}
    >
      <span style={{ opacity: 0.55, userSelect: 'none' }} aria-hidden="true">
        {clock(line.at)}{' '}
      </span>
      {line.stream === 'stderr' ? <span style={{ fontWeight: 600 }}>! </span> : null}
      {STREAM_MARK[line.stream] ? (
        <span style={{ userSelect: 'none', fontWeight: line.stream === 'hook' ? 600 : undefined }} data-testid="log-mark">
          {STREAM_MARK[line.stream]}
        </span>
      ) : null}
      {line.line}
    </div>
  );
}

function download(lines: LogLine[], name: string) {
  const text = lines.map((l) => `${l.at} ${l.stream} ${l.line}`).join('\n');
  const url = URL.createObjectURL(new Blob([text + '\n'], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

interface Props {
  lines: LogLine[];
  /** Shown when there are no lines (why, and whether more will come). */
  emptyText: string;
  /** The job is still writing. */
  live: boolean;
  fileName: string;
}

export function LogViewer({ lines, emptyText, live, fileName }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const { ref: sizeRef, height } = useElementSize<HTMLDivElement>();
  const ref = useMergedRef(box, sizeRef);
  const [scrollTop, setScrollTop] = useState(0);
  const { following, onScroll, jumpToLatest } = useFollowScroll(box, lines.length);
  const [seenCount, setSeenCount] = useState(0);
  // Lines that arrived while the view was paused, for the "Jump to latest" button.
  if (following && seenCount !== lines.length) setSeenCount(lines.length);
  const unseen = following ? 0 : lines.length - seenCount;

  const viewport = height > 0 ? height : FALLBACK_VIEWPORT;
  const range = visibleRange(scrollTop, viewport, ROW_HEIGHT, lines.length);
  const stderrCount = lines.reduce((n, l) => n + (l.stream === 'stderr' ? 1 : 0), 0);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'End') {
      e.preventDefault();
      jumpToLatest();
    }
  };

  return (
    <Stack gap="xs">
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Group gap="xs">
          <Text size="sm" c="dimmed" data-testid="log-count">
            {formatCount(lines.length)} {lines.length === 1 ? 'line' : 'lines'}
          </Text>
          {stderrCount > 0 ? (
            <Badge color="red" variant="light" size="sm">
              {formatCount(stderrCount)} on stderr
            </Badge>
          ) : null}
          {live ? (
            <Badge color={following ? 'blue' : 'gray'} variant="dot" size="sm" data-testid="log-follow-state">
              {following ? 'Following' : 'Paused'}
            </Badge>
          ) : null}
        </Group>
        <Button
          size="compact-sm"
          variant="subtle"
          leftSection={<IconDownload size={14} />}
          disabled={lines.length === 0}
          onClick={() => download(lines, fileName)}
        >
          Download
        </Button>
      </Group>
      <Paper withBorder radius="md" pos="relative" style={{ overflow: 'hidden' }}>
        <Box
          ref={ref}
          role="log"
          aria-label="Job log"
          aria-live="off"
          tabIndex={0}
          data-testid="job-log"
          data-following={following}
          onScroll={(e) => {
            setScrollTop(e.currentTarget.scrollTop);
            onScroll();
          }}
          onKeyDown={onKeyDown}
          // As tall as the lines (plus room for a sideways scrollbar), up to a screenful.
          h={Math.max(MIN_HEIGHT, lines.length * ROW_HEIGHT + 24)}
          mah={{ base: '55vh', sm: 480 }}
          ff="monospace"
          fz={12.5}
          bg="var(--mantine-color-default-hover)"
          style={{ overflow: 'auto', overscrollBehavior: 'contain' }}
        >
          {lines.length === 0 ? (
            <Text size="sm" c="dimmed" p="md" ff="body" data-testid="log-empty">
              {emptyText}
            </Text>
          ) : (
            <div style={{ position: 'relative', height: lines.length * ROW_HEIGHT, minWidth: '100%', width: 'max-content' }}>
              {lines.slice(range.start, range.end).map((line, i) => (
                <Row key={line.seq} line={line} top={(range.start + i) * ROW_HEIGHT} />
              ))}
            </div>
          )}
        </Box>
        {!following && lines.length > 0 ? (
          <Button
            size="xs"
            radius="xl"
            pos="absolute"
            bottom={12}
            right={20}
            leftSection={<IconArrowDown size={14} />}
            onClick={jumpToLatest}
            style={{ boxShadow: 'var(--mantine-shadow-md)' }}
          >
            {unseen > 0 ? `Jump to latest (${formatCount(unseen)} new)` : 'Jump to latest'}
          </Button>
        ) : null}
      </Paper>
      <Text size="xs" c="dimmed">
        {following || !live
          ? 'Scroll up to read back; the view stops following new lines until you return to the bottom.'
          : 'Paused while you read back. Press End or “Jump to latest” to follow again.'}
      </Text>
    </Stack>
  );
}

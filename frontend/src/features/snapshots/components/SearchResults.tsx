// A search's answer: each matching path (monospace), under it each version of it (kind, size,
// modified, mode) with the snapshots holding exactly that version as chips, newest first: the
// short id and the date, each opening the browser at the path's folder in that snapshot (the
// name filtered, so the file is the row you see). Long chip lists fold after a few.
import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import type { FoundPath, FoundVersion, Snapshot } from '@/api/types';
import { CopyIconButton } from '@/components/CopyIconButton';
import { formatDateTime } from '@/lib/format';
import { formatBytes, formatCount } from '@/lib/units';
import { baseName, formatMode, kindLabel } from '../tree';
import { KindIcon } from './KindIcon';

/** Chips shown before "+N more". */
const CHIPS_SHOWN = 6;

interface Props {
  paths: FoundPath[];
  /** What the host's snapshot list says about each id (time, short id). */
  snapshots: Map<string, Snapshot>;
  /** Where a chip goes: the browser at `path`'s folder in `snapshotId`. */
  linkFor: (snapshotId: string, path: string) => string;
}

function SnapshotChip({ id, snapshot, href }: { id: string; snapshot: Snapshot | undefined; href: string }) {
  const short = snapshot?.short_id ?? id.slice(0, 8);
  const when = snapshot ? formatDateTime(snapshot.time) : null;
  return (
    <Button
      component={Link}
      to={href}
      variant="light"
      size="compact-sm"
      radius="xl"
      data-testid="search-snapshot-chip"
      data-snapshot-id={id}
      aria-label={`Open snapshot ${short}${when ? ` of ${when}` : ''} at this folder`}
      styles={{ label: { fontWeight: 500 } }}
    >
      <Text span size="xs" ff="monospace" fw={600}>
        {short}
      </Text>
      {when ? (
        <Text span size="xs" ml={6}>
          {when}
        </Text>
      ) : null}
    </Button>
  );
}

function Version({ version, path, snapshots, linkFor }: { version: FoundVersion; path: string } & Omit<Props, 'paths'>) {
  const [all, setAll] = useState(false);
  const ids = [...version.snapshots].reverse(); // newest first
  const shown = all ? ids : ids.slice(0, CHIPS_SHOWN);
  const facts = [
    kindLabel(version.kind),
    version.kind === 'file' ? formatBytes(version.size) : null,
    `modified ${formatDateTime(version.mtime)}`,
    formatMode(version.mode, version.kind),
    `in ${ids.length} ${ids.length === 1 ? 'snapshot' : 'snapshots'}`,
  ].filter((f): f is string => f !== null);
  return (
    <Stack gap={6} data-testid="search-version" pl={{ base: 0, sm: 30 }}>
      <Text size="sm" c="dimmed" data-testid="search-version-facts" title={version.kind === 'file' ? `${formatCount(version.size)} bytes` : undefined}>
        {facts.map((f, i) => (
          <Fragment key={f}>
            {i > 0 ? ' · ' : ''}
            <span style={{ whiteSpace: 'nowrap' }}>{f}</span>
          </Fragment>
        ))}
      </Text>
      <Group gap={6} wrap="wrap">
        {shown.map((id) => (
          <SnapshotChip key={id} id={id} snapshot={snapshots.get(id)} href={linkFor(id, path)} />
        ))}
        {ids.length > CHIPS_SHOWN ? (
          <Button variant="subtle" size="compact-sm" onClick={() => setAll((a) => !a)}>
            {all ? 'Show fewer' : `+${ids.length - CHIPS_SHOWN} more`}
          </Button>
        ) : null}
      </Group>
    </Stack>
  );
}

export function SearchResults({ paths, snapshots, linkFor }: Props) {
  return (
    <Stack gap="xs" data-testid="search-results">
      {paths.map((p) => {
        const kind = p.versions[0]?.kind ?? 'other';
        return (
          <Paper key={p.path} withBorder radius="md" p="sm" data-testid="search-path" data-path={p.path}>
            <Stack gap="xs">
              <Group gap={6} wrap="nowrap" align="flex-start">
                <KindIcon kind={kind} />
                <Text ff="monospace" size="sm" style={{ overflowWrap: 'anywhere', flex: 1, minWidth: 0 }} data-testid="search-path-text">
                  <Text span inherit c="dimmed">
                    {p.path.slice(0, p.path.length - baseName(p.path).length)}
                  </Text>
                  <Text span inherit fw={700}>
                    {baseName(p.path)}
                  </Text>
                </Text>
                <CopyIconButton value={p.path} label={`path ${p.path}`} size="sm" variant="subtle" />
              </Group>
              {p.versions.length > 1 ? (
                <Text size="xs" c="dimmed" pl={{ base: 0, sm: 30 }}>
                  {p.versions.length} different versions
                </Text>
              ) : null}
              {p.versions.map((v, i) => (
                <Version key={`${v.mtime}-${v.size}-${i}`} version={v} path={p.path} snapshots={snapshots} linkFor={linkFor} />
              ))}
            </Stack>
          </Paper>
        );
      })}
    </Stack>
  );
}

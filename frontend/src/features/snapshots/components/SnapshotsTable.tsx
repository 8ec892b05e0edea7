// A host's snapshots: when, short id (copies the full id), paths, tags, repository, its size, the data it
// added, the job that made it, "Browse" (the snapshot's files, from its root) and "What changed". On a phone
// the secondary columns fold under the time.
import { Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Snapshot } from '@/api/types';
import { CopyIconButton } from '@/components/CopyIconButton';
import { DataTable, type Column } from '@/components/DataTable';
import { RelativeTime } from '@/components/RelativeTime';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { formatBytes } from '@/lib/units';
import { SnapshotLinks } from './SnapshotLinks';

const columns: Column[] = [
  { key: 'time', label: 'Time', nowrap: true },
  { key: 'id', label: 'ID' },
  { key: 'paths', label: 'Paths', visibleFrom: 'sm' },
  { key: 'tags', label: 'Tags', visibleFrom: 'md' },
  { key: 'repo', label: 'Repository', visibleFrom: 'sm' },
  { key: 'size', label: 'Size', visibleFrom: 'sm', nowrap: true },
  { key: 'added', label: 'Added', visibleFrom: 'sm', nowrap: true },
  { key: 'job', label: 'Job', visibleFrom: 'md' },
  { key: 'browse', label: 'Browse', hiddenLabel: true, visibleFrom: 'sm' },
];

/** "1.23 MiB", or a dash with why when Cairn did not make the snapshot (restic does not say). */
export function addedLabel(s: Pick<Snapshot, 'data_added'>): string {
  return s.data_added === undefined ? '—' : formatBytes(s.data_added);
}

/** The bytes of the files it holds, or a dash when Cairn did not make it. */
export function sizeLabel(s: Pick<Snapshot, 'size'>): string {
  return s.size === undefined ? '—' : formatBytes(s.size);
}

function Paths({ paths }: { paths: string[] }) {
  return (
    <Stack gap={0}>
      {paths.map((p) => (
        <Text key={p} size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {p}
        </Text>
      ))}
    </Stack>
  );
}

export function SnapshotsTable({ hostId, snapshots }: { hostId: string; snapshots: Snapshot[] }) {
  return (
    <DataTable columns={columns} minWidth={1060} testId="snapshots-table" verticalSpacing="xs">
      {snapshots.map((s) => (
        <Table.Tr key={`${s.repository_id}:${s.id}`} data-testid="snapshot-row" data-snapshot-id={s.id} data-repository-id={s.repository_id}>
          <Table.Td style={{ whiteSpace: 'nowrap' }}>
            <Text size="sm">{formatDateTime(s.time)}</Text>
            <Text size="xs" c="dimmed" component="div">
              <RelativeTime value={s.time} />
            </Text>
            <Text size="xs" c="dimmed" hiddenFrom="sm" component="div">
              {s.repository_name ?? 'repository'} · {sizeLabel(s)} · {addedLabel(s)} added
            </Text>
          </Table.Td>
          <Table.Td>
            <Group gap={4} wrap="nowrap">
              <Text size="sm" ff="monospace" data-testid="snapshot-short-id">
                {s.short_id}
              </Text>
              <CopyIconButton value={s.id} label={`snapshot id ${s.short_id}`} size="sm" variant="subtle" />
            </Group>
            {s.job_id ? (
              <Anchor component={Link} to={paths.job(s.job_id)} size="xs" hiddenFrom="md" display="block">
                View job
              </Anchor>
            ) : null}
            <Anchor component={Link} to={paths.snapshot(hostId, s.id, { repositoryId: s.repository_id })} size="xs" hiddenFrom="sm" display="block">
              Browse files
            </Anchor>
            <Anchor component={Link} to={paths.snapshotDiff(hostId, s.id, { repositoryId: s.repository_id })} size="xs" hiddenFrom="sm" display="block">
              What changed
            </Anchor>
          </Table.Td>
          <Table.Td visibleFrom="sm">
            <Paths paths={s.paths} />
          </Table.Td>
          <Table.Td visibleFrom="md">
            {s.tags.length ? (
              <Group gap={4}>
                {s.tags.map((t) => (
                  <Badge key={t} variant="outline" size="sm" tt="none">
                    {t}
                  </Badge>
                ))}
              </Group>
            ) : (
              <Text size="sm" c="dimmed">
                —
              </Text>
            )}
          </Table.Td>
          <Table.Td visibleFrom="sm">
            <Text size="sm">{s.repository_name ?? '—'}</Text>
          </Table.Td>
          <Table.Td visibleFrom="sm" style={{ whiteSpace: 'nowrap' }}>
            <Text size="sm" data-testid="snapshot-size" title={s.size === undefined ? 'Made outside Cairn: restic does not record its size here' : undefined}>
              {sizeLabel(s)}
            </Text>
          </Table.Td>
          <Table.Td visibleFrom="sm" style={{ whiteSpace: 'nowrap' }}>
            <Text size="sm" data-testid="snapshot-added" title={s.data_added === undefined ? 'Made outside Cairn: restic does not record what it added' : undefined}>
              {addedLabel(s)}
            </Text>
          </Table.Td>
          <Table.Td visibleFrom="md">
            {s.job_id ? (
              <Anchor component={Link} to={paths.job(s.job_id)} size="sm">
                View job
              </Anchor>
            ) : (
              <Text size="sm" c="dimmed">
                outside Cairn
              </Text>
            )}
          </Table.Td>
          <Table.Td visibleFrom="sm" style={{ whiteSpace: 'nowrap' }}>
            <SnapshotLinks hostId={hostId} snapshot={s} browse="Browse" wrap={false} />
          </Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}

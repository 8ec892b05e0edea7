// /hosts/:id/snapshots/:snapshotId/diff: what changed in a snapshot since the one before it
// (or since `?against=`). Totals on top, a filter and change chips with their counts (both
// sent to the server and kept in the URL), then path, change and size before → after. Sizes come once the
// agent has read both snapshots: until then the page asks again every two seconds.
import { Alert, Anchor, Badge, Breadcrumbs, Chip, CloseButton, Group, Loader, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconFilter, IconInfoCircle } from '@tabler/icons-react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '@/api/errors';
import type { components } from '@/api/schema';
import { ErrorAlert } from '@/components/ErrorAlert';
import { TableSkeleton } from '@/components/TableSkeleton';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { useUrlFilters, useUrlSearchText } from '@/lib/urlFilters';
import { formatBytes, formatCount } from '@/lib/units';
import { useEverySnapshot, useHostRecord } from '../browseApi';
import { useSnapshotDiff } from '../restoreApi';

type PathChange = components['schemas']['PathChange'];

export const CHANGES: { value: PathChange; label: string; color: string }[] = [
  { value: 'added', label: 'Added', color: 'teal' },
  { value: 'removed', label: 'Removed', color: 'red' },
  { value: 'modified', label: 'Modified', color: 'blue' },
  { value: 'type_changed', label: 'Type changed', color: 'orange' },
  { value: 'metadata', label: 'Metadata', color: 'gray' },
  { value: 'other', label: 'Other', color: 'gray' },
];
const COLOR = Object.fromEntries(CHANGES.map((c) => [c.value, c.color])) as Record<PathChange, string>;

/** The kinds of change named in `?changes=added,removed` (known ones, in CHANGES order); null for all. */
export function changesFromUrl(raw: string | null): PathChange[] | null {
  if (!raw) return null;
  const named = new Set(raw.split(','));
  const kinds = CHANGES.map((c) => c.value).filter((v) => named.has(v));
  return kinds.length === 0 || kinds.length === CHANGES.length ? null : kinds;
}

function Total({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={700} fz="lg">
        {value}
      </Text>
    </Paper>
  );
}

const size = (n: number | undefined) => (n === undefined ? '—' : formatBytes(n));

export function SnapshotDiffPage() {
  const { id: hostId = '', snapshotId = '' } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const against = params.get('against');
  const repositoryId = params.get('repo');
  const filterBox = useUrlSearchText('filter', 300);
  const filter = params.get('filter') ?? '';
  const { setFilter } = useUrlFilters();
  const picked = changesFromUrl(params.get('changes'));

  const host = useHostRecord(hostId);
  const every = useEverySnapshot(hostId);
  const diff = useSnapshotDiff(hostId, snapshotId, { against, repositoryId, filter, changes: picked });
  const noParent = diff.error instanceof ApiError && diff.error.code === 'snapshot.no_parent';
  const rows = diff.data?.changes ?? [];
  const counts = Object.fromEntries((diff.data?.by_change ?? []).map((c) => [c.change, c.count])) as Partial<Record<PathChange, number>>;
  // A chip for each kind that occurs (or is chosen), so the row of chips says what there is.
  const chips = CHANGES.filter((c) => (counts[c.value] ?? 0) > 0 || picked?.includes(c.value));
  const shown = chips.map((c) => c.value).filter((v) => !picked || picked.includes(v));
  // At least one kind stays chosen (none would be an empty page that reads as "no change");
  // every chip chosen is no narrowing at all.
  const setShown = (next: string[]) => {
    if (next.length === 0) return;
    const all = chips.every((c) => next.includes(c.value));
    setFilter('changes', all ? null : CHANGES.map((c) => c.value).filter((v) => next.includes(v)).join(','));
  };

  const short = (id: string | undefined) => (id ? id.slice(0, 8) : '');
  const others = (every.data ?? []).filter((s) => s.id !== snapshotId && (!repositoryId || s.repository_id === repositoryId));
  const pickAgainst = (value: string | null) =>
    void navigate(paths.snapshotDiff(hostId, snapshotId, { against: value, repositoryId, filter: filter || null }));

  const totals = diff.data?.totals;
  return (
    <Stack gap="md" data-testid="snapshot-diff">
      <Breadcrumbs style={{ flexWrap: 'wrap' }}>
        <Anchor component={Link} to={paths.hosts()} size="sm">
          Hosts
        </Anchor>
        <Anchor component={Link} to={paths.host(hostId)} size="sm" ff="monospace">
          {host.data?.hostname ?? 'Host'}
        </Anchor>
        <Anchor component={Link} to={paths.snapshot(hostId, snapshotId, { repositoryId })} size="sm" ff="monospace">
          {short(snapshotId)}
        </Anchor>
        <Text size="sm">What changed</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end" gap="sm">
        <Stack gap={4}>
          <Title order={2}>What changed</Title>
          {diff.data ? (
            <Text size="sm" c="dimmed" data-testid="diff-range">
              From{' '}
              <Anchor component={Link} to={paths.snapshot(hostId, diff.data.from, { repositoryId: diff.data.repository_id })} ff="monospace">
                {short(diff.data.from)}
              </Anchor>{' '}
              to{' '}
              <Anchor component={Link} to={paths.snapshot(hostId, diff.data.to, { repositoryId: diff.data.repository_id })} ff="monospace">
                {short(diff.data.to)}
              </Anchor>
            </Text>
          ) : null}
        </Stack>
        <Select
          label="Compare with"
          placeholder="The snapshot before it"
          clearable
          searchable
          w={{ base: '100%', sm: 320 }}
          data={others.map((s) => ({ value: s.id, label: `${s.short_id} · ${formatDateTime(s.time)}` }))}
          value={against}
          onChange={pickAgainst}
          data-testid="diff-against"
        />
      </Group>

      {noParent ? (
        <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} title="This is the first snapshot: there is nothing before it" data-testid="diff-no-parent">
          Pick another snapshot to compare it with in “Compare with”, or browse its files.{' '}
          <Anchor component={Link} to={paths.snapshot(hostId, snapshotId, { repositoryId })}>
            Browse this snapshot
          </Anchor>
        </Alert>
      ) : (
        <ErrorAlert error={diff.error} title="Could not compare these snapshots" />
      )}
      {diff.isPending ? <TableSkeleton rows={6} label="Comparing the snapshots" /> : null}

      {diff.data ? (
        <>
          {totals ? (
            <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs" data-testid="diff-totals">
              <Total label="Files added" value={formatCount(totals.added_files)} />
              <Total label="Files removed" value={formatCount(totals.removed_files)} />
              <Total label="Files changed" value={formatCount(totals.changed_files)} />
              <Total label="Data added" value={formatBytes(totals.added_bytes)} />
            </SimpleGrid>
          ) : null}
          {!diff.data.sizes_known ? (
            <Group gap="xs" data-testid="diff-sizes-pending">
              <Loader size="xs" />
              <Text size="sm" c="dimmed">
                Reading both snapshots for sizes…
              </Text>
            </Group>
          ) : null}
          <Group gap="sm" wrap="wrap">
            <TextInput
              aria-label="Filter paths"
              placeholder="Filter paths"
              leftSection={<IconFilter size={16} />}
              value={filterBox.text}
              onChange={(e) => filterBox.onChange(e.currentTarget.value)}
              rightSection={filterBox.text ? <CloseButton size="sm" aria-label="Clear filter" onClick={() => filterBox.onChange('')} /> : null}
              w={{ base: '100%', sm: 300 }}
              data-testid="diff-filter"
            />
            <Chip.Group multiple value={shown} onChange={(v) => setShown(v)}>
              <Group gap={6} wrap="wrap">
                {chips.map((c) => (
                  <Chip key={c.value} value={c.value} size="xs" color={c.color} data-testid={`diff-chip-${c.value}`} data-count={counts[c.value] ?? 0}>
                    {c.label} · {formatCount(counts[c.value] ?? 0)}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
          </Group>
          {rows.length === 0 ? (
            <Paper withBorder radius="md" p="xl" data-testid="diff-empty">
              <Text ta="center" size="sm" c="dimmed">
                {diff.data.total === 0 && !filter
                  ? 'Nothing changed between these snapshots.'
                  : 'No change matches the filter or the chosen change types. Clear the filter or pick more types.'}
              </Text>
            </Paper>
          ) : (
            <Paper withBorder radius="md">
              <Table.ScrollContainer minWidth={0}>
                <Table verticalSpacing={6} data-testid="diff-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Path</Table.Th>
                      <Table.Th>Change</Table.Th>
                      <Table.Th style={{ textAlign: 'right' }}>Size</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((c) => (
                      <Table.Tr key={c.path} data-testid="diff-row" data-change={c.change}>
                        <Table.Td>
                          <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                            {c.path}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Badge color={COLOR[c.change]} variant="light" size="sm" style={{ minWidth: 'max-content' }}>
                            {c.change.replace('_', ' ')}
                          </Badge>
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                          <Text size="sm">
                            {c.change === 'added' ? size(c.size_after) : c.change === 'removed' ? size(c.size_before) : `${size(c.size_before)} → ${size(c.size_after)}`}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Paper>
          )}
          <Text size="sm" c="dimmed" data-testid="diff-count">
            {formatCount(diff.data.total)} changed {diff.data.total === 1 ? 'path' : 'paths'}
            {diff.data.truncated ? ` (the first ${formatCount(diff.data.changes.length)} listed)` : ''}
          </Text>
        </>
      ) : null}
    </Stack>
  );
}

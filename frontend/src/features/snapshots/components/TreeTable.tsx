// One directory of a snapshot: kind icon and name (a folder is a link that opens it, so Enter,
// middle-click and "open in new tab" work), size of files, modification time, mode as `ls -l`
// prints it and owner. Name, size and modified sort from their headers (aria-sort says how).
// On a phone, the time, mode and owner fold under the name and a "Sort by" list stands in for
// the headers that fold away.
import { ActionIcon, Anchor, Checkbox, Group, Menu, NativeSelect, Paper, Stack, Table, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconArrowDown, IconArrowUp, IconDownload, IconSelector } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { TreeEntry, TreeSort } from '@/api/types';
import { PHONE_QUERY } from '@/components/DataTable';
import { formatDateTime } from '@/lib/format';
import { formatBytes, formatCount } from '@/lib/units';
import type { DownloadFormat } from '../restore';
import { formatMode, octalMode } from '../tree';
import { KindIcon } from './KindIcon';

interface Props {
  entries: TreeEntry[];
  sort: TreeSort;
  descending: boolean;
  /** A header was clicked: sort by it (or the other way when it already sorts). */
  onSort: (column: TreeSort) => void;
  /** An order picked from the phone's "Sort by" list. */
  onSortTo: (column: TreeSort, descending: boolean) => void;
  /** The link that opens a folder of this directory. */
  linkFor: (entry: TreeEntry) => string;
  /** Rows of another order are shown while the new one loads. */
  stale?: boolean;
  /** Selection for a restore: whether a row is picked, and picking it (no checkboxes without it). */
  isSelected?: (entry: TreeEntry) => boolean;
  onToggle?: (entry: TreeEntry) => void;
  /** The download link of a row in a format (none: no download actions). */
  downloadFor?: (entry: TreeEntry, format: DownloadFormat) => string | null;
}

/** A file downloads as it is; a folder as a .tar.gz or a .zip. Plain links: the server names the file. */
function DownloadAction({ entry, downloadFor }: { entry: TreeEntry; downloadFor: NonNullable<Props['downloadFor']> }) {
  if (entry.kind === 'file') {
    const href = downloadFor(entry, 'raw');
    if (!href) return null;
    return (
      <Tooltip label="Download">
        <ActionIcon component="a" href={href} download variant="subtle" aria-label={`Download ${entry.name}`} data-testid="tree-download">
          <IconDownload size={16} />
        </ActionIcon>
      </Tooltip>
    );
  }
  if (entry.kind !== 'dir') return null;
  const tar = downloadFor(entry, 'tar_gz');
  const zip = downloadFor(entry, 'zip');
  if (!tar || !zip) return null;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" aria-label={`Download folder ${entry.name}`} data-testid="tree-download-menu">
          <IconDownload size={16} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item component="a" href={tar} download data-testid="tree-download-tar">
          Download as .tar.gz
        </Menu.Item>
        <Menu.Item component="a" href={zip} download data-testid="tree-download-zip">
          Download as .zip
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

const PHONE_ORDERS = [
  { value: 'name:asc', label: 'Name, A to Z' },
  { value: 'name:desc', label: 'Name, Z to A' },
  { value: 'size:desc', label: 'Size, largest first' },
  { value: 'size:asc', label: 'Size, smallest first' },
  { value: 'mtime:desc', label: 'Modified, newest first' },
  { value: 'mtime:asc', label: 'Modified, oldest first' },
];

function SortHeader({
  column,
  label,
  sort,
  descending,
  onSort,
  align,
  visibleFrom,
}: { column: TreeSort; label: string; align?: 'right'; visibleFrom?: 'sm' } & Pick<Props, 'sort' | 'descending' | 'onSort'>) {
  const active = sort === column;
  const Icon = !active ? IconSelector : descending ? IconArrowDown : IconArrowUp;
  return (
    <Table.Th
      aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}
      style={{ whiteSpace: 'nowrap', textAlign: align }}
      visibleFrom={visibleFrom}
    >
      <UnstyledButton onClick={() => onSort(column)} data-testid={`sort-${column}`} fw={600} fz="sm">
        <Group gap={4} wrap="nowrap" justify={align === 'right' ? 'flex-end' : undefined}>
          {label}
          <Icon size={14} aria-hidden style={{ opacity: active ? 1 : 0.45 }} />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

function EntryName({ entry, href }: { entry: TreeEntry; href: string | null }) {
  const name = (
    <Text span size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
      {entry.name}
      {entry.kind === 'dir' ? '/' : ''}
    </Text>
  );
  return (
    <Group gap={6} wrap="nowrap" align="center">
      <KindIcon kind={entry.kind} />
      {href ? (
        <Anchor component={Link} to={href} data-testid="tree-open" aria-label={`Open folder ${entry.name}`} style={{ minWidth: 0 }}>
          {name}
        </Anchor>
      ) : (
        name
      )}
    </Group>
  );
}

export function TreeTable({ entries, sort, descending, onSort, onSortTo, linkFor, stale = false, isSelected, onToggle, downloadFor }: Props) {
  const selectable = !!isSelected && !!onToggle;
  const phone = useMediaQuery(PHONE_QUERY) ?? false;
  const sortProps = { sort, descending, onSort };
  return (
    <Stack gap="xs">
      <NativeSelect
        hiddenFrom="sm"
        label="Sort by"
        size="sm"
        data={PHONE_ORDERS}
        value={`${sort}:${descending ? 'desc' : 'asc'}`}
        onChange={(e) => {
          const [column, order] = e.currentTarget.value.split(':');
          onSortTo(column as TreeSort, order === 'desc');
        }}
        data-testid="tree-sort-phone"
      />
      <Paper withBorder radius="md" style={{ opacity: stale ? 0.6 : 1, transition: 'opacity 150ms' }}>
        <Table.ScrollContainer minWidth={phone ? 0 : 760}>
          <Table verticalSpacing={6} highlightOnHover data-testid="tree-table" aria-busy={stale}>
            <Table.Thead>
              <Table.Tr>
                {selectable ? (
                  <Table.Th w={36}>
                    <span className="sr-only" style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>
                      Select
                    </span>
                  </Table.Th>
                ) : null}
                <SortHeader column="name" label="Name" {...sortProps} />
                <SortHeader column="size" label="Size" align="right" {...sortProps} />
                <SortHeader column="mtime" label="Modified" visibleFrom="sm" {...sortProps} />
                <Table.Th visibleFrom="sm">Mode</Table.Th>
                <Table.Th visibleFrom="sm" style={{ whiteSpace: 'nowrap' }}>
                  Owner
                </Table.Th>
                {downloadFor ? <Table.Th w={44} aria-label="Actions" /> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((e) => {
                const mode = formatMode(e.mode, e.kind);
                return (
                  <Table.Tr key={e.name} data-testid="tree-row" data-kind={e.kind} data-name={e.name}>
                    {selectable ? (
                      <Table.Td>
                        <Checkbox
                          size="sm"
                          aria-label={`Select ${e.name}`}
                          checked={isSelected(e)}
                          onChange={() => onToggle(e)}
                          data-testid="tree-select"
                        />
                      </Table.Td>
                    ) : null}
                    <Table.Td>
                      <EntryName entry={e} href={e.kind === 'dir' ? linkFor(e) : null} />
                      <Stack gap={0} hiddenFrom="sm" ml={28}>
                        <Text size="xs" c="dimmed">
                          {formatDateTime(e.mtime)}
                        </Text>
                        <Text size="xs" c="dimmed" ff="monospace">
                          {mode} · {e.uid}:{e.gid}
                        </Text>
                      </Stack>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap', textAlign: 'right' }} data-testid="tree-size">
                      {e.kind === 'file' ? (
                        <Text size="sm" title={`${formatCount(e.size)} bytes`}>
                          {formatBytes(e.size)}
                        </Text>
                      ) : (
                        <Text size="sm" c="dimmed" aria-label="no size">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td visibleFrom="sm" style={{ whiteSpace: 'nowrap' }}>
                      <Text size="sm" title={formatDateTime(e.mtime, true)}>
                        {formatDateTime(e.mtime)}
                      </Text>
                    </Table.Td>
                    <Table.Td visibleFrom="sm">
                      <Text size="sm" ff="monospace" title={octalMode(e.mode)} data-testid="tree-mode">
                        {mode}
                      </Text>
                    </Table.Td>
                    <Table.Td visibleFrom="sm">
                      <Text size="sm" ff="monospace" title="uid:gid">
                        {e.uid}:{e.gid}
                      </Text>
                    </Table.Td>
                    {downloadFor ? (
                      <Table.Td>
                        <DownloadAction entry={e} downloadFor={downloadFor} />
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    </Stack>
  );
}

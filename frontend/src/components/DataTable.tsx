// The list-page table shell: bordered, scrolls sideways on a narrow laptop, and on a phone lets
// columns marked `visibleFrom` fold away instead. Rows are the feature's own; `RowActionsMenu`
// is the "…" menu at the end of a row.
import { ActionIcon, Menu, Paper, Table, VisuallyHidden, type MantineSize } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconDots } from '@tabler/icons-react';
import type { ReactNode } from 'react';

export interface Column {
  key: string;
  label: string;
  /** Hidden below this breakpoint (secondary columns, folded away on a phone). */
  visibleFrom?: 'sm' | 'md';
  /** Read by screen readers only (e.g. the row-actions column). */
  hiddenLabel?: boolean;
  nowrap?: boolean;
  w?: number;
}

interface Props {
  columns: Column[];
  /** Below this width (laptops and tablets) the table scrolls sideways rather than squeezing. */
  minWidth: number;
  testId: string;
  verticalSpacing?: MantineSize;
  /** The rows (`Table.Tr`). */
  children: ReactNode;
}

export const PHONE_QUERY = '(max-width: 48em)';

export function DataTable({ columns, minWidth, testId, verticalSpacing = 'sm', children }: Props) {
  const phone = useMediaQuery(PHONE_QUERY) ?? false;
  return (
    <Paper withBorder radius="md">
      <Table.ScrollContainer minWidth={phone ? 0 : minWidth}>
        <Table verticalSpacing={verticalSpacing} highlightOnHover data-testid={testId}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.key} visibleFrom={c.visibleFrom} w={c.w} style={c.nowrap ? { whiteSpace: 'nowrap' } : undefined}>
                  {c.hiddenLabel ? <VisuallyHidden>{c.label}</VisuallyHidden> : c.label}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{children}</Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

/** The row-actions column header, for tables whose rows end in a `RowActionsMenu`. */
export const actionsColumn: Column = { key: 'actions', label: 'Actions', hiddenLabel: true, w: 60 };

/** A row's "…" menu; `name` makes the button's accessible name "Actions for <name>". */
export function RowActionsMenu({ name, children }: { name: string; children: ReactNode }) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${name}`}>
          <IconDots size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>{children}</Menu.Dropdown>
    </Menu>
  );
}

// What a list page shows instead of an empty table: "No <things> yet" with what to do next,
// or, when filters hide everything, "No <things> match these filters" with a way out.
import { Button, EmptyState, Paper } from '@mantine/core';
import type { ReactNode } from 'react';

interface Props {
  icon: ReactNode;
  /** Plural noun: "hosts", "users", "events". */
  things: string;
  /** Filters are set: the list is empty because of them. */
  filtered?: boolean;
  /** Why the list is empty and how it fills up (no filters). */
  description: ReactNode;
  /** When filtered; the default suits a search box plus filters. */
  filteredDescription?: ReactNode;
  /** Shows a "Clear filters" button when filtered. */
  onClearFilters?: () => void;
  /** The next step when nothing exists yet, e.g. an "Add host" button. */
  action?: ReactNode;
  testId?: string;
}

export function ListEmptyState({
  icon,
  things,
  filtered = false,
  description,
  filteredDescription = 'Try another search or clear the filters.',
  onClearFilters,
  action,
  testId,
}: Props) {
  const actions = filtered ? (
    onClearFilters ? (
      <Button variant="default" onClick={onClearFilters}>
        Clear filters
      </Button>
    ) : null
  ) : (
    action
  );
  return (
    <Paper withBorder radius="md" p="xl" data-testid={testId}>
      <EmptyState
        icon={icon}
        variant="light"
        color="gray"
        title={filtered ? `No ${things} match these filters` : `No ${things} yet`}
        description={filtered ? filteredDescription : description}
      >
        {actions ? <EmptyState.Actions>{actions}</EmptyState.Actions> : null}
      </EmptyState>
    </Paper>
  );
}

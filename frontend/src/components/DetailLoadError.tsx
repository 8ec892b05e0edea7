// What a detail page (a host, a job, a repository) shows when its record cannot be loaded:
// "not found" with the way back to its list for a 404 (or a malformed id's 400), else the error.
import { Button, EmptyState } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError } from '@/api/errors';
import { ErrorAlert } from '@/components/ErrorAlert';

interface Props {
  error: unknown;
  /** "Host", "Job", "Repository". */
  what: string;
  icon: ReactNode;
  /** Why it may be gone, and where to look. */
  description: string;
  /** The list page, and its button's label ("Back to hosts"). */
  backTo: string;
  backLabel: string;
}

export function DetailLoadError({ error, what, icon, description, backTo, backLabel }: Props) {
  if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
    return (
      <EmptyState mt="xl" variant="light" color="gray" icon={icon} title={`${what} not found`} description={description}>
        <EmptyState.Actions>
          <Button component={Link} to={backTo} variant="default">
            {backLabel}
          </Button>
        </EmptyState.Actions>
      </EmptyState>
    );
  }
  return <ErrorAlert error={error} title={`Could not load the ${what.toLowerCase()}`} />;
}

// Shown instead of a page the signed-in user's role may not see.
import { Button, EmptyState } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { Link } from 'react-router';
import { paths } from '@/lib/paths';

export function NoAccess({ what }: { what: string }) {
  return (
    <EmptyState
      data-testid="no-access"
      mt="xl"
      variant="light"
      color="gray"
      icon={<IconLock size={28} />}
      title="You don't have access"
      description={`Your role cannot view ${what}. Ask an administrator if you need it.`}
    >
      <EmptyState.Actions>
        <Button component={Link} to={paths.home()} variant="default">
          Back to home
        </Button>
      </EmptyState.Actions>
    </EmptyState>
  );
}

// Catch-all page for unknown addresses inside the app.
import { Button, EmptyState } from '@mantine/core';
import { IconMapPinQuestion } from '@tabler/icons-react';
import { Link, useLocation } from 'react-router';
import { paths } from '@/lib/paths';

export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <EmptyState
      mt="xl"
      variant="light"
      color="gray"
      icon={<IconMapPinQuestion size={28} />}
      title="Page not found"
      description={`Nothing lives at ${pathname}. It may have moved, or the link is mistyped.`}
    >
      <EmptyState.Actions>
        <Button component={Link} to={paths.home()}>
          Go to home
        </Button>
      </EmptyState.Actions>
    </EmptyState>
  );
}

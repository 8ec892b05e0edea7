// Inline alert that shows an API error's own message (and its code, for support).
import { Alert, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiError, errorMessage } from '@/api/errors';

interface Props {
  error: unknown;
  title?: string;
}

export function ErrorAlert({ error, title = 'Request failed' }: Props) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" title={title} icon={<IconAlertTriangle size={18} />} role="alert">
      <Text size="sm">{errorMessage(error)}</Text>
      {error instanceof ApiError && error.code && error.status > 0 ? (
        <Text size="xs" c="dimmed" mt={4}>
          {error.code}
        </Text>
      ) : null}
    </Alert>
  );
}

// Last-resort error screen for a render error inside a route (instead of a blank page).
import { Button, Center, Code, Stack, Text, Title } from '@mantine/core';
import { useRouteError } from 'react-router';

export function RouteError() {
  const error = useRouteError();
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Center mih="100vh" p="md">
      <Stack maw={520} gap="sm">
        <Title order={2}>Something broke on this page</Title>
        <Text c="dimmed">Reloading usually helps. If it keeps happening, report the message below.</Text>
        <Code block>{message}</Code>
        <Button onClick={() => window.location.reload()}>Reload</Button>
      </Stack>
    </Center>
  );
}

// Page title row: heading, optional one-line description and right-aligned actions.
import { Group, Stack, Text, Title, type MantineSpacing } from '@mantine/core';
import type { ReactNode } from 'react';

interface Props {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  /** Space below; pages that lay out with a Stack pass 0. */
  mb?: MantineSpacing;
}

export function PageHeader({ title, description, actions, mb = 'lg' }: Props) {
  return (
    <Group justify="space-between" align="flex-end" mb={mb} gap="sm" wrap="wrap">
      <Stack gap={4}>
        <Title order={2}>{title}</Title>
        {description ? (
          <Text c="dimmed" size="sm" component="div">
            {description}
          </Text>
        ) : null}
      </Stack>
      {actions ? <Group gap="xs">{actions}</Group> : null}
    </Group>
  );
}

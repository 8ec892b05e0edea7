// Centered card layout for the signed-out pages (setup, login).
import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { CairnLogo } from './CairnLogo';

interface Props {
  title: string;
  subtitle?: ReactNode;
  width?: number;
  children: ReactNode;
}

export function AuthCard({ title, subtitle, width = 420, children }: Props) {
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-body)">
      <Stack w="100%" maw={width} gap="lg">
        <Center>
          <CairnLogo size={36} />
        </Center>
        <Paper withBorder shadow="sm" radius="md" p={{ base: 'md', sm: 'xl' }}>
          <Stack gap="xs" mb="md">
            <Title order={2} fz="h3">
              {title}
            </Title>
            {subtitle ? (
              <Text c="dimmed" size="sm">
                {subtitle}
              </Text>
            ) : null}
          </Stack>
          {children}
        </Paper>
      </Stack>
    </Center>
  );
}

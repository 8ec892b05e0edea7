// A key fingerprint (`SHA256:…`) in monospace with a copy button; `large` for the approval panel.
import { Code, Group, Text } from '@mantine/core';
import { useRef } from 'react';
import { CopyIconButton } from '@/components/CopyIconButton';

export function Fingerprint({ value, large = false }: { value: string; large?: boolean }) {
  const ref = useRef<HTMLElement>(null);
  const textRef = useRef<HTMLParagraphElement>(null);
  if (large) {
    return (
      <Group gap="xs" wrap="nowrap" align="center">
        <Code
          ref={ref}
          data-testid="fingerprint"
          fz={{ base: 'sm', sm: 'lg' }}
          fw={600}
          px="sm"
          py={6}
          style={{ wordBreak: 'break-all', letterSpacing: '0.02em' }}
        >
          {value}
        </Code>
        <CopyIconButton value={value} label="fingerprint" selectTarget={ref} size="lg" />
      </Group>
    );
  }
  return (
    <Group gap={6} wrap="nowrap" align="center">
      <Text ref={textRef} ff="monospace" size="sm" data-testid="fingerprint" style={{ wordBreak: 'break-all' }}>
        {value}
      </Text>
      <CopyIconButton value={value} label="fingerprint" selectTarget={textRef} size="sm" variant="subtle" />
    </Group>
  );
}

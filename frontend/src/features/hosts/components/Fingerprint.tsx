// A fingerprint (`SHA256:…`, an agent's key or the server's certificate) in monospace with a
// copy button; `large` for the approval panel and the server certificate.
import { Code, Group, Text } from '@mantine/core';
import { useRef } from 'react';
import { CopyIconButton } from '@/components/CopyIconButton';

interface Props {
  value: string;
  large?: boolean;
  /** What is copied, for the copy button's accessible name: "Copy <label>". */
  label?: string;
  testId?: string;
}

export function Fingerprint({ value, large = false, label = 'fingerprint', testId = 'fingerprint' }: Props) {
  const ref = useRef<HTMLElement>(null);
  const textRef = useRef<HTMLParagraphElement>(null);
  if (large) {
    return (
      <Group gap="xs" wrap="nowrap" align="center">
        <Code
          ref={ref}
          data-testid={testId}
          fz={{ base: 'sm', sm: 'lg' }}
          fw={600}
          px="sm"
          py={6}
          style={{ wordBreak: 'break-all', letterSpacing: '0.02em' }}
        >
          {value}
        </Code>
        <CopyIconButton value={value} label={label} selectTarget={ref} size="lg" />
      </Group>
    );
  }
  return (
    <Group gap={6} wrap="nowrap" align="center">
      <Text ref={textRef} ff="monospace" size="sm" data-testid={testId} style={{ wordBreak: 'break-all' }}>
        {value}
      </Text>
      <CopyIconButton value={value} label={label} selectTarget={textRef} size="sm" variant="subtle" />
    </Group>
  );
}

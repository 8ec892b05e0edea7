// Free-form JSON (an alert's or an event's details) behind a "Show details" toggle, so the
// page leads with sentences; nothing when there is nothing to show.
import { Button, Code, Collapse, Stack } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChevronDown, IconChevronUp } from '@tabler/icons-react';

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

export function JsonDetails({ value, label = 'details' }: { value: unknown; label?: string }) {
  const [opened, { toggle }] = useDisclosure(false);
  if (isEmpty(value)) return null;
  return (
    <Stack gap={4} align="flex-start">
      <Button
        variant="subtle"
        size="compact-xs"
        onClick={toggle}
        aria-expanded={opened}
        rightSection={opened ? <IconChevronUp size={14} /> : <IconChevronDown size={14} />}
      >
        {opened ? `Hide ${label}` : `Show ${label}`}
      </Button>
      <Collapse expanded={opened} w="100%">
        <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {JSON.stringify(value, null, 2)}
        </Code>
      </Collapse>
    </Stack>
  );
}

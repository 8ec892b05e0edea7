// The result exactly as the agent reported it (JSON), folded away by default.
import { Button, Card, Code, Collapse, Group, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import type { Job } from '@/api/types';

export function RawResult({ job }: { job: Job }) {
  const [opened, { toggle }] = useDisclosure(false);
  // As the server sends them: a part the agent has not reported is absent (JSON leaves it out).
  const raw = { result: job.result, summary: job.summary, progress: job.progress };
  return (
    <Card withBorder radius="md" padding="sm">
      <Group justify="space-between">
        <Button
          variant="subtle"
          color="gray"
          size="sm"
          onClick={toggle}
          aria-expanded={opened}
          aria-controls="job-raw-result"
          leftSection={opened ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
        >
          Raw result (JSON)
        </Button>
        {!job.result ? (
          <Text size="xs" c="dimmed">
            The agent reports it when the job ends.
          </Text>
        ) : null}
      </Group>
      <Collapse expanded={opened}>
        <Code block id="job-raw-result" data-testid="job-raw-result" mt="xs" fz="xs" style={{ maxHeight: 420, overflow: 'auto' }}>
          {JSON.stringify(raw, null, 2)}
        </Code>
      </Collapse>
    </Card>
  );
}

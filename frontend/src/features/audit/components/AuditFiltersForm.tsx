// Audit filters: actor, action, target, outcome and a time range; applied on submit (Enter).
import { Button, Group, Select, SimpleGrid, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconFilter, IconX } from '@tabler/icons-react';
import { emptyFilters, type AuditFilters } from '../api';

export function AuditFiltersForm({ value, onApply }: { value: AuditFilters; onApply: (f: AuditFilters) => void }) {
  const form = useForm<AuditFilters>({
    initialValues: value,
    validate: {
      until: (until, v) => (until && v.since && new Date(until) < new Date(v.since) ? '“To” is before “From”' : null),
    },
  });
  const active = JSON.stringify(value) !== JSON.stringify(emptyFilters);
  return (
    <form noValidate onSubmit={form.onSubmit(onApply)} aria-label="Audit filters">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm" verticalSpacing="sm">
        <TextInput label="Actor" placeholder="username or id" {...form.getInputProps('actor')} />
        <TextInput label="Action" placeholder="e.g. user.create" {...form.getInputProps('action')} />
        <TextInput label="Target" placeholder="name or id" {...form.getInputProps('target')} />
        <Select
          label="Outcome"
          placeholder="Any"
          clearable
          data={[
            { value: 'success', label: 'Success' },
            { value: 'denied', label: 'Denied' },
            { value: 'failure', label: 'Failure' },
          ]}
          value={form.values.outcome}
          onChange={(v) => form.setFieldValue('outcome', v)}
        />
        <TextInput label="From" type="datetime-local" {...form.getInputProps('since')} />
        <TextInput label="To" type="datetime-local" {...form.getInputProps('until')} />
      </SimpleGrid>
      <Group mt="sm" gap="xs">
        <Button type="submit" size="sm" leftSection={<IconFilter size={16} />}>
          Apply filters
        </Button>
        {active ? (
          <Button
            variant="subtle"
            size="sm"
            leftSection={<IconX size={16} />}
            onClick={() => {
              form.setValues(emptyFilters);
              onApply(emptyFilters);
            }}
          >
            Clear
          </Button>
        ) : null}
      </Group>
    </form>
  );
}

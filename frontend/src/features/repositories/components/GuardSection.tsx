// The repository's delete guard: what one forget may remove before it stops and waits for an
// admin. Everyone sees it in a sentence; admins (repos_manage) edit it (PATCH `guard`, whole).
import { Button, Group, NumberInput, SimpleGrid, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconDeviceFloppy, IconPencil } from '@tabler/icons-react';
import { useState } from 'react';
import type { Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { notifySuccess } from '@/lib/notify';
import { useUpdateGuard } from '../api';
import { guardRequest, guardSentence, guardValues, validateGuard, type GuardValues } from '../jobForm';

function GuardForm({ repository, onDone }: { repository: Repository; onDone: () => void }) {
  const update = useUpdateGuard(repository.id);
  const form = useForm<GuardValues>({ initialValues: guardValues(repository.guard), validate: validateGuard });
  return (
    <form
      noValidate
      aria-label="Delete guard"
      onSubmit={form.onSubmit((v) =>
        update.mutate(guardRequest(v), {
          onSuccess: () => {
            notifySuccess('Delete guard saved; it applies to the next forget.');
            onDone();
          },
        }),
      )}
    >
      <Stack gap="sm">
        <ErrorAlert error={update.error} title="Could not save the guard" />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <NumberInput label="Max snapshots per run" description="Empty: no count limit." placeholder="No limit" min={1} max={100_000} allowDecimal={false} allowNegative={false} {...form.getInputProps('maxDeleteCount')} />
          <NumberInput label="Max share per run" description="Percent of the run’s snapshots; empty: none." placeholder="No limit" min={1} max={100} suffix=" %" allowDecimal={false} allowNegative={false} {...form.getInputProps('maxDeletePercent')} />
          <NumberInput label="Keep at least" description="Snapshots per host and paths." min={0} max={1000} allowDecimal={false} allowNegative={false} {...form.getInputProps('minKeep')} />
        </SimpleGrid>
        <FormActions submitLabel="Save guard" onCancel={onDone} loading={update.isPending} icon={<IconDeviceFloppy size={16} />} />
      </Stack>
    </form>
  );
}

export function GuardSection({ repository, canEdit }: { repository: Repository; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  if (editing) return <GuardForm repository={repository} onDone={() => setEditing(false)} />;
  return (
    <Group justify="space-between" align="flex-start" gap="sm">
      <Text size="sm" data-testid="guard-sentence" style={{ flex: '1 1 16rem' }}>
        {guardSentence(repository.guard)} A forget past it removes nothing and waits for an admin’s approval.
      </Text>
      {canEdit ? (
        <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} onClick={() => setEditing(true)}>
          Edit guard
        </Button>
      ) : null}
    </Group>
  );
}

// The buttons under a dialog's form: "Cancel" and the submit button (Enter in a field submits).
import { Button, Group, type MantineColor } from '@mantine/core';
import type { ReactNode } from 'react';

interface Props {
  submitLabel: string;
  onCancel: () => void;
  /** The request is running: the submit button spins and cannot be pressed again. */
  loading: boolean;
  disabled?: boolean;
  color?: MantineColor;
  icon?: ReactNode;
}

export function FormActions({ submitLabel, onCancel, loading, disabled, color, icon }: Props) {
  return (
    <Group justify="flex-end" mt="sm">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" color={color} leftSection={icon} disabled={disabled} loading={loading}>
        {submitLabel}
      </Button>
    </Group>
  );
}

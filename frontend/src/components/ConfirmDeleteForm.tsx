// Delete confirmation shared by every feature: the consequence in a sentence or two, then the
// exact name to type before the red button enables, so a slip of the mouse deletes nothing.
import { Stack, Text, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { ErrorAlert } from './ErrorAlert';
import { FormActions } from './FormActions';

interface Props {
  /** What must be typed, exactly (spaces around it are ignored). */
  name: string;
  /** The confirm button, e.g. "Delete host". */
  confirmLabel: string;
  /** What deleting does and does not do. */
  children: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
  /** The delete request is running. */
  pending: boolean;
  /** The delete request's error, shown with the server's message. */
  error: unknown;
  errorTitle: string;
}

export function ConfirmDeleteForm({ name, confirmLabel, children, onConfirm, onCancel, pending, error, errorTitle }: Props) {
  const [typed, setTyped] = useState('');
  const matches = typed.trim() === name;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (matches && !pending) onConfirm();
      }}
    >
      <Stack gap="sm">
        <Text size="sm" component="div">
          {children}
        </Text>
        <ErrorAlert error={error} title={errorTitle} />
        <TextInput
          label={`Type ${name} to confirm`}
          data-autofocus
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
        />
        <FormActions submitLabel={confirmLabel} onCancel={onCancel} loading={pending} disabled={!matches} color="red" />
      </Stack>
    </form>
  );
}

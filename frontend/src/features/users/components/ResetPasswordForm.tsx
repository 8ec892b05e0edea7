// Set a new password for another user (e.g. they forgot theirs).
import { PasswordInput, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { User } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { MIN_PASSWORD_LENGTH, confirmRule, passwordRule } from '@/lib/validation';
import { useResetUserPassword } from '../api';

interface Values {
  password: string;
  confirm: string;
}

export function ResetPasswordForm({ user, onDone, onCancel }: { user: User; onDone: () => void; onCancel: () => void }) {
  const reset = useResetUserPassword();
  const form = useForm<Values>({
    initialValues: { password: '', confirm: '' },
    validate: { password: passwordRule, confirm: confirmRule<Values>('password') },
  });
  return (
    <form noValidate onSubmit={form.onSubmit((v) => reset.mutate({ id: user.id, password: v.password }, { onSuccess: onDone }))}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Sets a new password for <b>{user.username}</b>. Share it with them privately.
        </Text>
        <ErrorAlert error={reset.error} title="Could not reset the password" />
        <PasswordInput
          label="New password"
          description={`At least ${MIN_PASSWORD_LENGTH} characters`}
          data-autofocus
          autoComplete="new-password"
          {...form.getInputProps('password')}
        />
        <PasswordInput label="Confirm password" autoComplete="new-password" {...form.getInputProps('confirm')} />
        <FormActions submitLabel="Set password" onCancel={onCancel} loading={reset.isPending} />
      </Stack>
    </form>
  );
}

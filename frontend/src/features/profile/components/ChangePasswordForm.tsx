// Change your own password (current password required; the new one must meet the rules).
import { Button, Group, PasswordInput, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ApiError } from '@/api/errors';
import { ErrorAlert } from '@/components/ErrorAlert';
import { notifySuccess } from '@/lib/notify';
import { MIN_PASSWORD_LENGTH, confirmRule, passwordRule, required } from '@/lib/validation';
import { useChangePassword } from '../api';

interface Values {
  current: string;
  password: string;
  confirm: string;
}

export function ChangePasswordForm() {
  const change = useChangePassword();
  const form = useForm<Values>({
    initialValues: { current: '', password: '', confirm: '' },
    validate: { current: required('Current password'), password: passwordRule, confirm: confirmRule<Values>('password') },
  });
  const wrongCurrent = change.error instanceof ApiError && change.error.code === 'auth.wrong_password';
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((v) =>
        change.mutate(
          { current_password: v.current, new_password: v.password },
          {
            onSuccess: () => {
              form.reset();
              notifySuccess('Your password was changed.');
            },
            onError: (error) => {
              if (error instanceof ApiError && error.code === 'auth.wrong_password') form.setFieldError('current', error.message);
            },
          },
        ),
      )}
    >
      <Stack gap="sm">
        {!wrongCurrent ? <ErrorAlert error={change.error} title="Could not change the password" /> : null}
        <PasswordInput label="Current password" autoComplete="current-password" {...form.getInputProps('current')} />
        <PasswordInput
          label="New password"
          description={`At least ${MIN_PASSWORD_LENGTH} characters`}
          autoComplete="new-password"
          {...form.getInputProps('password')}
        />
        <PasswordInput label="Confirm new password" autoComplete="new-password" {...form.getInputProps('confirm')} />
        <Group justify="flex-end">
          <Button type="submit" loading={change.isPending}>
            Change password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

// Change your own password (current password required; the new one must meet the rules).
import { Button, Group, PasswordInput, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ApiError, inputFor } from '@/api/errors';
import { ErrorAlert } from '@/components/ErrorAlert';
import { notifySuccess } from '@/lib/notify';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, confirmRule, passwordRule, required } from '@/lib/validation';
import { useChangePassword } from '../api';

interface Values {
  current: string;
  password: string;
  confirm: string;
}

/** The request's fields → the form's inputs. */
const INPUTS: Record<string, keyof Values> = { current_password: 'current', new_password: 'password' };

/** The input a refusal belongs on: a wrong current password, or a field the server refuses. */
function inputOf(error: unknown): keyof Values | undefined {
  if (error instanceof ApiError && error.code === 'auth.wrong_password') return 'current';
  return inputFor(error, INPUTS);
}

export function ChangePasswordForm() {
  const change = useChangePassword();
  const form = useForm<Values>({
    initialValues: { current: '', password: '', confirm: '' },
    validate: { current: required('Current password', MAX_PASSWORD_LENGTH), password: passwordRule, confirm: confirmRule<Values>('password') },
  });
  const fieldError = inputOf(change.error) !== undefined;
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
              const input = inputOf(error);
              if (input) form.setFieldError(input, error.message);
            },
          },
        ),
      )}
    >
      <Stack gap="sm">
        {!fieldError ? <ErrorAlert error={change.error} title="Could not change the password" /> : null}
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

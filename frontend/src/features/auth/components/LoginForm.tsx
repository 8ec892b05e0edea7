// Username/password form. Shows the server's message on failure and a countdown hint when
// the server rate-limits sign-in attempts (429 + Retry-After).
import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiError, errorMessage } from '@/api/errors';
import type { Me } from '@/api/types';
import { MAX_PASSWORD_LENGTH, required } from '@/lib/validation';
import { useLogin } from '../api';

export function loginErrorMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 429) {
    return error.retryAfter != null
      ? `Too many attempts, try again in ${error.retryAfter} s`
      : 'Too many attempts, try again later';
  }
  return errorMessage(error);
}

export function LoginForm({ onSuccess }: { onSuccess: (me: Me) => void }) {
  const login = useLogin();
  const form = useForm({
    initialValues: { username: '', password: '' },
    validate: { username: required('Username', 128), password: required('Password', MAX_PASSWORD_LENGTH) },
  });

  return (
    <form
      noValidate
      onSubmit={form.onSubmit((values) =>
        login.mutate({ username: values.username.trim(), password: values.password }, { onSuccess }),
      )}
    >
      <Stack gap="md">
        {login.error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" data-testid="login-error">
            {loginErrorMessage(login.error)}
          </Alert>
        ) : null}
        <TextInput
          label="Username"
          autoComplete="username"
          autoFocus
          autoCapitalize="none"
          spellCheck={false}
          {...form.getInputProps('username')}
        />
        <PasswordInput label="Password" autoComplete="current-password" {...form.getInputProps('password')} />
        <Button type="submit" fullWidth loading={login.isPending} mt="xs">
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

// First-run form: setup token + the first administrator account. Password rules are checked
// before anything is sent; server errors (bad token, weak password) are shown as returned.
import { Button, Divider, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { Me } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import {
  MIN_PASSWORD_LENGTH,
  confirmRule,
  emailRule,
  optional,
  optionalDisplayNameRule,
  passwordRule,
  required,
  usernameRule,
} from '@/lib/validation';
import { useSetup } from '../api';

const initialValues = { token: '', username: '', display_name: '', email: '', password: '', confirm: '' };
type Values = typeof initialValues;

export function SetupForm({ onSuccess }: { onSuccess: (me: Me) => void }) {
  const setup = useSetup();
  const form = useForm<Values>({
    initialValues,
    validate: {
      token: required('Setup token', 200),
      username: usernameRule,
      display_name: optionalDisplayNameRule,
      email: emailRule,
      password: passwordRule,
      confirm: confirmRule<Values>('password'),
    },
  });

  return (
    <form
      noValidate
      onSubmit={form.onSubmit((v) =>
        setup.mutate(
          {
            token: v.token.trim(),
            username: v.username.trim(),
            password: v.password,
            display_name: optional(v.display_name),
            email: optional(v.email),
          },
          { onSuccess },
        ),
      )}
    >
      <Stack gap="md">
        <ErrorAlert error={setup.error} title="Setup failed" />
        <TextInput
          label="Setup token"
          placeholder="Paste the token here"
          autoFocus
          autoComplete="off"
          spellCheck={false}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          {...form.getInputProps('token')}
        />
        <Divider label="First administrator" labelPosition="left" />
        <TextInput label="Username" placeholder="admin" autoComplete="username" spellCheck={false} {...form.getInputProps('username')} />
        <TextInput label="Display name" placeholder="e.g. Ada Lovelace" autoComplete="name" {...form.getInputProps('display_name')} />
        <TextInput label="Email" description="Optional" type="email" autoComplete="email" {...form.getInputProps('email')} />
        <PasswordInput
          label="Password"
          description={`At least ${MIN_PASSWORD_LENGTH} characters`}
          autoComplete="new-password"
          {...form.getInputProps('password')}
        />
        <PasswordInput label="Confirm password" autoComplete="new-password" {...form.getInputProps('confirm')} />
        <Button type="submit" fullWidth loading={setup.isPending} mt="xs">
          Create administrator and sign in
        </Button>
        <Text size="xs" c="dimmed" ta="center">
          The token works once; after setup, more users are added from the Users page.
        </Text>
      </Stack>
    </form>
  );
}

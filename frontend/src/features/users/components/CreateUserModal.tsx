// "New user" modal: validated before sending; a taken username, or a field the server refuses
// (at the edge or by its own rules), is shown on its field; a refused host role at the editor.
import { Modal, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ApiError, inputFor } from '@/api/errors';
import { USER_ROLES, type Role, type User } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { RolePicker } from '@/components/RolePicker';
import { MIN_PASSWORD_LENGTH, confirmRule, emailRule, optional, optionalDisplayNameRule, passwordRule, usernameRule } from '@/lib/validation';
import { useCreateUser } from '../api';
import { bindingsRule, fromDrafts, HostRolesEditor, type BindingDraft } from './HostRolesEditor';

interface Values {
  username: string;
  display_name: string;
  email: string;
  role: Role;
  bindings: BindingDraft[];
  password: string;
  confirm: string;
}

/** The request's fields → the form's inputs (the role picker shows no error: it stays above). */
const INPUTS: Record<string, keyof Values> = {
  username: 'username',
  display_name: 'display_name',
  email: 'email',
  password: 'password',
  bindings: 'bindings',
};

/** The input a refusal belongs on, if any. */
function inputOf(error: unknown): keyof Values | undefined {
  if (error instanceof ApiError && error.code === 'user.username_taken') return 'username';
  if (error instanceof ApiError && error.code === 'user.invalid_binding') return 'bindings';
  return inputFor(error, INPUTS);
}

function CreateUserForm({ onCreated, onCancel }: { onCreated: (user: User) => void; onCancel: () => void }) {
  const create = useCreateUser();
  const form = useForm<Values>({
    initialValues: { username: '', display_name: '', email: '', role: 'operator', bindings: [], password: '', confirm: '' },
    validate: {
      username: usernameRule,
      display_name: optionalDisplayNameRule,
      email: emailRule,
      bindings: bindingsRule,
      password: passwordRule,
      confirm: confirmRule<Values>('password'),
    },
  });

  const submit = form.onSubmit((v) =>
    create.mutate(
      {
        username: v.username.trim(),
        display_name: optional(v.display_name),
        email: optional(v.email),
        role: v.role,
        bindings: fromDrafts(v.bindings),
        password: v.password,
      },
      {
        onSuccess: onCreated,
        onError: (error) => {
          const input = inputOf(error);
          if (input) form.setFieldError(input, error.message);
        },
      },
    ),
  );

  const fieldError = inputOf(create.error) !== undefined;
  return (
    <form noValidate onSubmit={submit}>
      <Stack gap="sm">
        {!fieldError ? <ErrorAlert error={create.error} title="Could not create the user" /> : null}
        <TextInput label="Username" data-autofocus autoComplete="off" spellCheck={false} {...form.getInputProps('username')} />
        <TextInput label="Display name" autoComplete="off" {...form.getInputProps('display_name')} />
        <TextInput label="Email" description="Optional" type="email" autoComplete="off" {...form.getInputProps('email')} />
        <RolePicker
          label="Role over all hosts"
          roles={USER_ROLES}
          value={form.values.role}
          onChange={(role) => form.setFieldValue('role', role)}
        />
        <HostRolesEditor
          value={form.values.bindings}
          onChange={(bindings) => form.setFieldValue('bindings', bindings)}
          error={form.errors.bindings}
        />
        <PasswordInput
          label="Initial password"
          description={`At least ${MIN_PASSWORD_LENGTH} characters; share it privately, the user can change it in their profile.`}
          autoComplete="new-password"
          {...form.getInputProps('password')}
        />
        <PasswordInput label="Confirm password" autoComplete="new-password" {...form.getInputProps('confirm')} />
        <FormActions submitLabel="Create user" onCancel={onCancel} loading={create.isPending} />
      </Stack>
    </form>
  );
}

export function CreateUserModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (user: User) => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New user" size="md">
      {opened ? <CreateUserForm onCreated={onCreated} onCancel={onClose} /> : null}
    </Modal>
  );
}

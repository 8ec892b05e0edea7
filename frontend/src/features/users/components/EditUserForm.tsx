// Edit a user's display name, email, role over all hosts and host roles (the server refuses
// to demote the last admin). A refused host role is shown at the host roles editor.
import { Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ApiError } from '@/api/errors';
import { USER_ROLES, type Role, type User } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { RolePicker } from '@/components/RolePicker';
import { SsoBadge } from '@/components/SsoBadge';
import { displayNameRule, emailRule } from '@/lib/validation';
import { useUpdateUser } from '../api';
import { bindingsRule, fromDrafts, HostRolesEditor, toDrafts, type BindingDraft } from './HostRolesEditor';

interface Values {
  display_name: string;
  email: string;
  role: Role;
  bindings: BindingDraft[];
}

function isBindingRefusal(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === 'user.invalid_binding';
}

export function EditUserForm({ user, onSaved, onCancel }: { user: User; onSaved: (user: User) => void; onCancel: () => void }) {
  const update = useUpdateUser();
  const form = useForm<Values>({
    initialValues: { display_name: user.display_name, email: user.email ?? '', role: user.role, bindings: toDrafts(user.bindings) },
    validate: { display_name: displayNameRule, email: emailRule, bindings: bindingsRule },
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((v) =>
        update.mutate(
          // An emptied email is sent as null, which the API declares as "clear it"; the bindings
          // replace the user's all at once ([] clears them).
          {
            id: user.id,
            body: { display_name: v.display_name.trim(), email: v.email.trim() || null, role: v.role, bindings: fromDrafts(v.bindings) },
          },
          {
            onSuccess: onSaved,
            onError: (error) => {
              if (isBindingRefusal(error)) form.setFieldError('bindings', error.message);
            },
          },
        ),
      )}
    >
      <Stack gap="sm">
        {!isBindingRefusal(update.error) ? <ErrorAlert error={update.error} title="Could not save" /> : null}
        <TextInput label="Username" value={user.username} readOnly variant="filled" />
        {user.sso_provider_id ? (
          <Group gap="xs" wrap="nowrap">
            <SsoBadge user={user} />
            <Text size="xs" c="dimmed">
              Signs in through single sign-on; the provider&apos;s groups set the role again at each sign-in.
            </Text>
          </Group>
        ) : null}
        <TextInput label="Display name" data-autofocus {...form.getInputProps('display_name')} />
        <TextInput label="Email" type="email" {...form.getInputProps('email')} />
        <RolePicker label="Role over all hosts" roles={USER_ROLES} value={form.values.role} onChange={(role) => form.setFieldValue('role', role)} />
        <HostRolesEditor
          value={form.values.bindings}
          onChange={(bindings) => form.setFieldValue('bindings', bindings)}
          error={form.errors.bindings}
          sso={!!user.sso_provider_id}
        />
        <FormActions submitLabel="Save" onCancel={onCancel} loading={update.isPending} />
      </Stack>
    </form>
  );
}

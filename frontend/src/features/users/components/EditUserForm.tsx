// Edit a user's display name, email and role (the server refuses to demote the last admin).
import { Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { Role, User } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { RolePicker } from '@/components/RolePicker';
import { SsoBadge } from '@/components/SsoBadge';
import { displayNameRule, emailRule } from '@/lib/validation';
import { useUpdateUser } from '../api';

interface Values {
  display_name: string;
  email: string;
  role: Role;
}

export function EditUserForm({ user, onSaved, onCancel }: { user: User; onSaved: (user: User) => void; onCancel: () => void }) {
  const update = useUpdateUser();
  const form = useForm<Values>({
    initialValues: { display_name: user.display_name, email: user.email ?? '', role: user.role },
    validate: { display_name: displayNameRule, email: emailRule },
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((v) =>
        update.mutate(
          // An emptied email is sent as null, which the API declares as "clear it".
          { id: user.id, body: { display_name: v.display_name.trim(), email: v.email.trim() || null, role: v.role } },
          { onSuccess: onSaved },
        ),
      )}
    >
      <Stack gap="sm">
        <ErrorAlert error={update.error} title="Could not save" />
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
        <RolePicker value={form.values.role} onChange={(role) => form.setFieldValue('role', role)} />
        <FormActions submitLabel="Save" onCancel={onCancel} loading={update.isPending} />
      </Stack>
    </form>
  );
}

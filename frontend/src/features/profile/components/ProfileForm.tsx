// Edit your own display name and email.
import { Button, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { Me } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { notifySuccess } from '@/lib/notify';
import { displayNameRule, emailRule } from '@/lib/validation';
import { useUpdateProfile } from '../api';

export function ProfileForm({ me }: { me: Me }) {
  const update = useUpdateProfile();
  const form = useForm({
    initialValues: { display_name: me.user.display_name, email: me.user.email ?? '' },
    validate: { display_name: displayNameRule, email: emailRule },
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((v) =>
        update.mutate(
          // An emptied email is sent as null, which the API declares as "clear it".
          { display_name: v.display_name.trim(), email: v.email.trim() || null },
          {
            onSuccess: (saved) => {
              form.resetDirty({ display_name: saved.user.display_name, email: saved.user.email ?? '' });
              notifySuccess('Profile saved.');
            },
          },
        ),
      )}
    >
      <Stack gap="sm">
        <ErrorAlert error={update.error} title="Could not save your profile" />
        <TextInput label="Username" value={me.user.username} readOnly variant="filled" description="Usernames cannot be changed." />
        <TextInput label="Display name" autoComplete="name" {...form.getInputProps('display_name')} />
        <TextInput label="Email" type="email" autoComplete="email" description="Optional" {...form.getInputProps('email')} />
        <Group justify="flex-end">
          <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
            Save profile
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

// New API token: a name, a role no higher than your own, and an expiry.
import { SegmentedControl, Input, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { CreatedApiToken, Role } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { RolePicker } from '@/components/RolePicker';
import { required } from '@/lib/validation';
import { useCreateToken } from '../api';

const RANK: Record<Role, number> = { none: -1, viewer: 0, operator: 1, admin: 2 };
const EXPIRY = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
];

/** Roles a token may carry: never more than its owner's highest (host roles count), never `none`. */
export function assignableRoles(own: Role): Role[] {
  return (['admin', 'operator', 'viewer'] as const).filter((r) => RANK[r] <= RANK[own]);
}

interface Values {
  name: string;
  role: Role;
  expiry: string;
}

export function CreateTokenForm({
  ownRole,
  onCreated,
  onCancel,
}: {
  ownRole: Role;
  onCreated: (created: CreatedApiToken) => void;
  onCancel: () => void;
}) {
  const create = useCreateToken();
  const form = useForm<Values>({
    initialValues: { name: '', role: ownRole, expiry: '90' },
    validate: { name: required('Name', 100) },
  });
  const roles = assignableRoles(ownRole);
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((v) =>
        create.mutate(
          { name: v.name.trim(), role: v.role, expires_in_days: v.expiry === 'never' ? undefined : Number(v.expiry) },
          { onSuccess: onCreated },
        ),
      )}
    >
      <Stack gap="sm">
        <ErrorAlert error={create.error} title="Could not create the token" />
        <TextInput
          label="Name"
          description="What uses it, e.g. “nightly report script”."
          data-autofocus
          autoComplete="off"
          {...form.getInputProps('name')}
        />
        {roles.length > 1 ? (
          <RolePicker
            label="Role"
            roles={roles}
            value={form.values.role}
            onChange={(role) => form.setFieldValue('role', role)}
          />
        ) : null}
        <Input.Wrapper label="Expires after">
          <SegmentedControl
            fullWidth
            mt={4}
            aria-label="Expires after"
            data={EXPIRY}
            value={form.values.expiry}
            onChange={(v) => form.setFieldValue('expiry', v)}
          />
        </Input.Wrapper>
        <FormActions submitLabel="Create token" onCancel={onCancel} loading={create.isPending} />
      </Stack>
    </form>
  );
}

// Role choice (segmented control) with a one-line explanation of what the chosen role may do.
import { Input, SegmentedControl } from '@mantine/core';
import { ROLES, type Role } from '@/api/types';
import { roleLabel } from '@/lib/format';

const help: Record<Role, string> = {
  admin: 'Everything, including users and the audit log.',
  operator: 'Runs and manages backups; cannot manage users.',
  viewer: 'Read-only access.',
};

interface Props {
  value: Role;
  onChange: (role: Role) => void;
  /** Roles that may be picked (default: all). */
  roles?: readonly Role[];
  label?: string;
  error?: string;
}

export function RolePicker({ value, onChange, roles = ROLES, label = 'Role', error }: Props) {
  return (
    <Input.Wrapper
      label={label}
      error={error}
      description={help[value]}
      inputWrapperOrder={['label', 'input', 'description', 'error']}
    >
      <SegmentedControl
        fullWidth
        mt={4}
        mb={4}
        aria-label={label}
        value={value}
        onChange={(v) => onChange(v)}
        data={roles.map((r) => ({ value: r, label: roleLabel(r) }))}
      />
    </Input.Wrapper>
  );
}

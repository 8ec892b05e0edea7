// Role choice (segmented control) with a one-line explanation of what the chosen role may do.
// Stacks vertically on phones, where four labels would not fit side by side.
import { Input, SegmentedControl } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { ROLES, type Role } from '@/api/types';
import { roleLabel } from '@/lib/format';

const help: Record<Role, string> = {
  admin: 'Everything, including users and the audit log.',
  operator: 'Runs and manages backups; cannot manage users.',
  viewer: 'Read-only access.',
  none: 'No role over all hosts: only the host roles given below.',
};

/** `none` alone would read as "no access"; it means "only what the host roles give". */
function pickerLabel(role: Role): string {
  return role === 'none' ? 'Host roles only' : roleLabel(role);
}

interface Props {
  value: Role;
  onChange: (role: Role) => void;
  /** Roles that may be picked (default: admin, operator, viewer). */
  roles?: readonly Role[];
  label?: string;
  error?: string;
}

export function RolePicker({ value, onChange, roles = ROLES, label = 'Role', error }: Props) {
  const narrow = useMediaQuery('(max-width: 36em)') ?? false;
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
        orientation={narrow && roles.length > 3 ? 'vertical' : 'horizontal'}
        value={value}
        onChange={(v) => onChange(v)}
        data={roles.map((r) => ({ value: r, label: pickerLabel(r) }))}
      />
    </Input.Wrapper>
  );
}

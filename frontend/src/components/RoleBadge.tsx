// Colored badge for a role, the same everywhere (user menu, users table, tokens).
import { Badge, type BadgeProps } from '@mantine/core';
import type { Role } from '@/api/types';
import { roleLabel } from '@/lib/format';

const colors: Record<Role, string> = { admin: 'grape', operator: 'blue', viewer: 'gray' };

export function RoleBadge({ role, ...props }: { role: Role } & BadgeProps) {
  return (
    <Badge color={colors[role]} variant="light" {...props}>
      {roleLabel(role)}
    </Badge>
  );
}

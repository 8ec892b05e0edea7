// Colored badge for a role, the same everywhere (user menu, users table, tokens).
import { Badge, type BadgeProps } from '@mantine/core';
import type { Role } from '@/api/types';
import { roleLabel } from '@/lib/format';

const colors: Record<Role, string> = { admin: 'grape', operator: 'blue', viewer: 'gray', none: 'gray' };

/** `label` replaces the role's name; `none` reads "Host roles only" unless told otherwise. */
export function RoleBadge({ role, label, ...props }: { role: Role; label?: string } & BadgeProps) {
  return (
    // `none` is outlined: no role over all hosts, not a weaker shade of one.
    <Badge color={colors[role]} variant={role === 'none' ? 'outline' : 'light'} {...props}>
      {label ?? (role === 'none' ? 'Host roles only' : roleLabel(role))}
    </Badge>
  );
}

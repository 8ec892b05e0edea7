// A user's host-scoped roles as small badges ("operator · web, eu"), the same in the users
// table and on the profile page. Renders nothing for no host roles.
import { Badge, Group, type GroupProps } from '@mantine/core';
import type { HostRoleBinding } from '@/api/types';

/** One binding as text: its role, then the tags whose hosts it covers. */
export function bindingLabel(binding: HostRoleBinding): string {
  return `${binding.role} · ${binding.tags.join(', ')}`;
}

export function HostRoleBadges({ bindings, testId, ...props }: { bindings: readonly HostRoleBinding[]; testId?: string } & GroupProps) {
  if (bindings.length === 0) return null;
  return (
    <Group gap={4} wrap="wrap" data-testid={testId} {...props}>
      {bindings.map((b, i) => (
        <Badge
          key={i}
          size="sm"
          variant="dot"
          color={b.role === 'operator' ? 'blue' : 'gray'}
          tt="none"
          title={`${b.role} on hosts tagged ${b.tags.join(' or ')}`}
        >
          {bindingLabel(b)}
        </Badge>
      ))}
    </Group>
  );
}

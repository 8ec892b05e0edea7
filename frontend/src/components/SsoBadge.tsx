// "SSO" badge for a user who signs in through a single sign-on provider (users list, user dialog, profile).
import { Badge, Tooltip, type BadgeProps } from '@mantine/core';
import type { User } from '@/api/types';

export function SsoBadge({ user, ...props }: { user: Pick<User, 'sso_provider_id'> } & BadgeProps) {
  if (!user.sso_provider_id) return null;
  return (
    <Tooltip label="Signs in through single sign-on" withArrow>
      <Badge size="xs" variant="light" color="cyan" data-testid="user-sso-badge" tabIndex={0} {...props}>
        SSO
      </Badge>
    </Tooltip>
  );
}

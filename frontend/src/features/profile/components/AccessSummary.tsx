// "Your access": the role over all hosts and each host-scoped role, so a user can tell why
// they see only some hosts.
import { Group, Stack, Text } from '@mantine/core';
import type { Me } from '@/api/types';
import { HostRoleBadges } from '@/components/HostRoleBadges';
import { RoleBadge } from '@/components/RoleBadge';

export function AccessSummary({ me }: { me: Me }) {
  const hostRoles = me.bindings.length > 0;
  return (
    <Stack gap="xs" data-testid="profile-access">
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" c="dimmed" w={130} style={{ flexShrink: 0 }}>
          Over all hosts
        </Text>
        <RoleBadge role={me.role} label={me.role === 'none' ? 'None' : undefined} size="sm" />
      </Group>
      {hostRoles ? (
        <>
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <Text size="sm" c="dimmed" w={130} style={{ flexShrink: 0 }}>
              Host roles
            </Text>
            <HostRoleBadges bindings={me.bindings} testId="profile-bindings" />
          </Group>
          <Text size="sm" c="dimmed">
            {me.role === 'none'
              ? 'You see and act only on hosts carrying these tags.'
              : 'On hosts carrying these tags you also have the host role shown; elsewhere your role over all hosts applies.'}
          </Text>
        </>
      ) : null}
    </Stack>
  );
}

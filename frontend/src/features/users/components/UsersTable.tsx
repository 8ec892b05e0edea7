// The users table; row actions (edit, enable/disable, reset password, delete) appear only
// for callers allowed to manage users.
import { Badge, Group, Menu, Stack, Table, Text } from '@mantine/core';
import { IconKey, IconPencil, IconTrash, IconUserCheck, IconUserOff } from '@tabler/icons-react';
import type { User } from '@/api/types';
import { actionsColumn, DataTable, RowActionsMenu, type Column } from '@/components/DataTable';
import { RelativeTime } from '@/components/RelativeTime';
import { HostRoleBadges } from '@/components/HostRoleBadges';
import { RoleBadge } from '@/components/RoleBadge';
import { SsoBadge } from '@/components/SsoBadge';

export type UserAction = 'edit' | 'toggle' | 'reset' | 'delete';

interface Props {
  users: User[];
  currentUserId: string;
  canManage: boolean;
  onAction: (action: UserAction, user: User) => void;
}

const columns: Column[] = [
  { key: 'username', label: 'Username' },
  { key: 'display', label: 'Display name', visibleFrom: 'sm' },
  { key: 'email', label: 'Email', visibleFrom: 'sm' },
  { key: 'role', label: 'Role' },
  { key: 'status', label: 'Status', visibleFrom: 'sm' },
  { key: 'login', label: 'Last login', visibleFrom: 'sm' },
];

export function UsersTable({ users, currentUserId, canManage, onAction }: Props) {
  // On a phone the secondary columns fold away (the display name moves under the username).
  return (
    <DataTable columns={canManage ? [...columns, actionsColumn] : columns} minWidth={760} testId="users-table">
      {users.map((user) => {
        const self = user.id === currentUserId;
        return (
          <Table.Tr key={user.id} data-testid={`user-row-${user.username}`}>
            <Table.Td>
              <Group gap={6} wrap="nowrap">
                <Text size="sm" fw={500} ff="monospace">
                  {user.username}
                </Text>
                {self ? (
                  <Badge size="xs" variant="outline" color="gray">
                    you
                  </Badge>
                ) : null}
                <SsoBadge user={user} />
              </Group>
              <Text size="xs" c="dimmed" hiddenFrom="sm">
                {user.display_name}
              </Text>
              {user.disabled ? (
                <Badge size="xs" color="red" variant="light" hiddenFrom="sm" mt={2}>
                  Disabled
                </Badge>
              ) : null}
            </Table.Td>
            <Table.Td visibleFrom="sm">
              <Text size="sm">{user.display_name || '—'}</Text>
            </Table.Td>
            <Table.Td visibleFrom="sm">
              <Text size="sm" c={user.email ? undefined : 'dimmed'}>
                {user.email || '—'}
              </Text>
            </Table.Td>
            <Table.Td>
              <Stack gap={4} align="flex-start">
                {/* `none` alone reads as "no access": say what it means for this user. */}
                <RoleBadge role={user.role} label={user.role === 'none' ? (user.bindings.length > 0 ? 'Host roles only' : 'No role') : undefined} />
                <HostRoleBadges bindings={user.bindings} testId="user-bindings" />
              </Stack>
            </Table.Td>
            <Table.Td visibleFrom="sm">
              <Badge variant="dot" color={user.disabled ? 'red' : 'teal'}>
                {user.disabled ? 'Disabled' : 'Active'}
              </Badge>
            </Table.Td>
            <Table.Td visibleFrom="sm">
              <RelativeTime value={user.last_login_at} seconds={false} />
            </Table.Td>
            {canManage ? (
              <Table.Td>
                <RowActionsMenu name={user.username}>
                  <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => onAction('edit', user)}>
                    Edit
                  </Menu.Item>
                  <Menu.Item leftSection={<IconKey size={16} />} onClick={() => onAction('reset', user)}>
                    Reset password
                  </Menu.Item>
                  {!self ? (
                    <>
                      <Menu.Item
                        leftSection={user.disabled ? <IconUserCheck size={16} /> : <IconUserOff size={16} />}
                        onClick={() => onAction('toggle', user)}
                      >
                        {user.disabled ? 'Enable' : 'Disable'}
                      </Menu.Item>
                      <Menu.Divider />
                      <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => onAction('delete', user)}>
                        Delete
                      </Menu.Item>
                    </>
                  ) : null}
                </RowActionsMenu>
              </Table.Td>
            ) : null}
          </Table.Tr>
        );
      })}
    </DataTable>
  );
}

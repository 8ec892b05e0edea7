// The users table; row actions (edit, enable/disable, reset password, delete) appear only
// for callers allowed to manage users.
import { ActionIcon, Badge, Group, Menu, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconDots, IconKey, IconPencil, IconTrash, IconUserCheck, IconUserOff } from '@tabler/icons-react';
import { useMediaQuery } from '@mantine/hooks';
import type { User } from '@/api/types';
import { RoleBadge } from '@/components/RoleBadge';
import { formatDateTime, formatRelative } from '@/lib/format';

export type UserAction = 'edit' | 'toggle' | 'reset' | 'delete';

interface Props {
  users: User[];
  currentUserId: string;
  canManage: boolean;
  onAction: (action: UserAction, user: User) => void;
}

export function UsersTable({ users, currentUserId, canManage, onAction }: Props) {
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  return (
    // On a phone the secondary columns fold away (the display name moves under the username).
    <Table.ScrollContainer minWidth={phone ? 0 : 760}>
      <Table verticalSpacing="sm" highlightOnHover data-testid="users-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Username</Table.Th>
            <Table.Th visibleFrom="sm">Display name</Table.Th>
            <Table.Th visibleFrom="sm">Email</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th visibleFrom="sm">Status</Table.Th>
            <Table.Th visibleFrom="sm">Last login</Table.Th>
            {canManage ? (
              <Table.Th w={60}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            ) : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
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
                  <RoleBadge role={user.role} />
                </Table.Td>
                <Table.Td visibleFrom="sm">
                  <Badge variant="dot" color={user.disabled ? 'red' : 'teal'}>
                    {user.disabled ? 'Disabled' : 'Active'}
                  </Badge>
                </Table.Td>
                <Table.Td visibleFrom="sm">
                  <Tooltip label={formatDateTime(user.last_login_at)} disabled={!user.last_login_at}>
                    <Text size="sm" c={user.last_login_at ? undefined : 'dimmed'}>
                      {formatRelative(user.last_login_at)}
                    </Text>
                  </Tooltip>
                </Table.Td>
                {canManage ? (
                  <Table.Td>
                    <Menu position="bottom-end" withinPortal>
                      <Menu.Target>
                        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${user.username}`}>
                          <IconDots size={18} />
                        </ActionIcon>
                      </Menu.Target>
                      <Menu.Dropdown>
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
                      </Menu.Dropdown>
                    </Menu>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

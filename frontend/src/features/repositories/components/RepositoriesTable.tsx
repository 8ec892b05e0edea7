// Repositories table: names, URLs and which credentials are set (never their values).
import { ActionIcon, Badge, Group, Menu, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconDots, IconPencil, IconTrash } from '@tabler/icons-react';
import type { Repository } from '@/api/types';
import { formatDateTime, formatRelative } from '@/lib/format';

export type RepositoryAction = 'edit' | 'delete';

interface Props {
  repositories: Repository[];
  canManage: boolean;
  onAction: (action: RepositoryAction, repo: Repository) => void;
}

export function RepositoriesTable({ repositories, canManage, onAction }: Props) {
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  return (
    <Table.ScrollContainer minWidth={phone ? 0 : 760}>
      <Table verticalSpacing="sm" highlightOnHover data-testid="repositories-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th visibleFrom="sm">URL</Table.Th>
            <Table.Th>Password</Table.Th>
            <Table.Th visibleFrom="sm">Environment</Table.Th>
            <Table.Th visibleFrom="md">Updated</Table.Th>
            {canManage ? (
              <Table.Th w={60}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            ) : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {repositories.map((repo) => (
            <Table.Tr key={repo.id} data-testid={`repository-row-${repo.name}`}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {repo.name}
                </Text>
                <Text size="xs" c="dimmed" ff="monospace" hiddenFrom="sm" style={{ wordBreak: 'break-all' }}>
                  {repo.url}
                </Text>
              </Table.Td>
              <Table.Td visibleFrom="sm">
                <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
                  {repo.url}
                </Text>
              </Table.Td>
              <Table.Td>
                {repo.has_password ? (
                  <Badge color="teal" variant="light" size="sm" tt="none">
                    password set
                  </Badge>
                ) : (
                  <Badge color="red" variant="light" size="sm" tt="none">
                    no password
                  </Badge>
                )}
              </Table.Td>
              <Table.Td visibleFrom="sm">
                {repo.env_keys.length ? (
                  <Group gap={4}>
                    {repo.env_keys.map((k) => (
                      <Badge key={k} variant="outline" color="gray" size="sm" tt="none" ff="monospace">
                        {k}
                      </Badge>
                    ))}
                  </Group>
                ) : (
                  <Text size="sm" c="dimmed">
                    —
                  </Text>
                )}
              </Table.Td>
              <Table.Td visibleFrom="md">
                <Tooltip label={formatDateTime(repo.updated_at, true)}>
                  <Text size="sm" span>
                    {formatRelative(repo.updated_at)}
                  </Text>
                </Tooltip>
              </Table.Td>
              {canManage ? (
                <Table.Td>
                  <Menu position="bottom-end" withinPortal>
                    <Menu.Target>
                      <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${repo.name}`}>
                        <IconDots size={18} />
                      </ActionIcon>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => onAction('edit', repo)}>
                        Edit
                      </Menu.Item>
                      <Menu.Divider />
                      <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => onAction('delete', repo)}>
                        Delete
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

// Repositories table: names (linked to each repository's page), URLs and which credentials are set (never their values); for
// admins a row menu to initialize (restic init), edit or delete.
import { Anchor, Badge, Group, Menu, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { paths } from '@/lib/paths';
import { IconDatabasePlus, IconPencil, IconTrash } from '@tabler/icons-react';
import type { Repository } from '@/api/types';
import { actionsColumn, DataTable, RowActionsMenu, type Column } from '@/components/DataTable';
import { RelativeTime } from '@/components/RelativeTime';

export type RepositoryAction = 'init' | 'edit' | 'delete';

interface Props {
  repositories: Repository[];
  canManage: boolean;
  onAction: (action: RepositoryAction, repo: Repository) => void;
}

const columns: Column[] = [
  { key: 'name', label: 'Name' },
  { key: 'url', label: 'URL', visibleFrom: 'sm' },
  { key: 'password', label: 'Password' },
  { key: 'env', label: 'Environment', visibleFrom: 'sm' },
  { key: 'updated', label: 'Updated', visibleFrom: 'md' },
];

export function RepositoriesTable({ repositories, canManage, onAction }: Props) {
  return (
    <DataTable columns={canManage ? [...columns, actionsColumn] : columns} minWidth={760} testId="repositories-table">
      {repositories.map((repo) => (
        <Table.Tr key={repo.id} data-testid={`repository-row-${repo.name}`}>
          <Table.Td>
            <Anchor component={Link} to={paths.repository(repo.id)} size="sm" fw={600}>
              {repo.name}
            </Anchor>
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
            <RelativeTime value={repo.updated_at} />
          </Table.Td>
          {canManage ? (
            <Table.Td>
              <RowActionsMenu name={repo.name}>
                <Menu.Item leftSection={<IconDatabasePlus size={16} />} onClick={() => onAction('init', repo)}>
                  Initialize…
                </Menu.Item>
                <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => onAction('edit', repo)}>
                  Edit
                </Menu.Item>
                <Menu.Divider />
                <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => onAction('delete', repo)}>
                  Delete
                </Menu.Item>
              </RowActionsMenu>
            </Table.Td>
          ) : null}
        </Table.Tr>
      ))}
    </DataTable>
  );
}

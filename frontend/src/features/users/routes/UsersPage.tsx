// /users: search, filter and page through users; admins create, edit, disable and delete them.
import { Alert, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconInfoCircle, IconSearch, IconUserPlus, IconUsers } from '@tabler/icons-react';
import { useState } from 'react';
import type { Role, User } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ListEmptyState } from '@/components/ListEmptyState';
import { ListPager } from '@/components/ListPager';
import { PageHeader } from '@/components/PageHeader';
import { hasPermission, useSession } from '@/lib/auth';
import { notifyError, notifySuccess } from '@/lib/notify';
import { useUpdateUser, useUsers } from '../api';
import { CreateUserModal } from '../components/CreateUserModal';
import { DeleteUserForm } from '../components/DeleteUserForm';
import { EditUserForm } from '../components/EditUserForm';
import { ResetPasswordForm } from '../components/ResetPasswordForm';
import { UsersTable, type UserAction } from '../components/UsersTable';

const PAGE_SIZE = 20;
type Dialog = { kind: 'edit' | 'reset' | 'delete'; user: User } | null;

const titles = { edit: 'Edit user', reset: 'Reset password', delete: 'Delete user' } as const;

export function UsersPage() {
  const me = useSession();
  const canManage = hasPermission(me, 'users_manage');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 300);
  const [role, setRole] = useState<Role | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const update = useUpdateUser();

  const disabled = status === 'disabled' ? true : status === 'active' ? false : null;
  const users = useUsers({ q, role, disabled, page, pageSize: PAGE_SIZE });
  const filtered = !!q.trim() || role !== null || disabled !== null;
  const total = users.data?.total ?? 0;

  const onAction = (action: UserAction, user: User) => {
    if (action === 'toggle') {
      update.mutate(
        { id: user.id, body: { disabled: !user.disabled } },
        {
          onSuccess: (u) => notifySuccess(`${u.username} is now ${u.disabled ? 'disabled' : 'active'}.`),
          onError: (e) => notifyError(`Could not ${user.disabled ? 'enable' : 'disable'} ${user.username}`, e),
        },
      );
    } else {
      setDialog({ kind: action, user });
    }
  };
  const closeDialog = () => setDialog(null);
  const clearFilters = () => {
    setSearch('');
    setRole(null);
    setStatus(null);
    setPage(1);
  };

  return (
    <Stack gap="md">
      <PageHeader
        mb={0}
        title="Users"
        description="People who can sign in to Cairn, and what their role lets them do."
        actions={
          canManage ? (
            <Button leftSection={<IconUserPlus size={18} />} onClick={() => setCreating(true)}>
              New user
            </Button>
          ) : null
        }
      />

      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          aria-label="Search users"
          placeholder="Search username, name or email"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage(1);
          }}
          style={{ flex: '1 1 260px' }}
        />
        <Select
          aria-label="Filter by role"
          placeholder="All roles"
          clearable
          value={role}
          onChange={(v) => {
            setRole(v);
            setPage(1);
          }}
          data={[
            { value: 'admin', label: 'Admin' },
            { value: 'operator', label: 'Operator' },
            { value: 'viewer', label: 'Viewer' },
          ]}
          style={{ flex: '0 1 170px' }}
        />
        <Select
          aria-label="Filter by status"
          placeholder="Any status"
          clearable
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
          data={[
            { value: 'active', label: 'Active' },
            { value: 'disabled', label: 'Disabled' },
          ]}
          style={{ flex: '0 1 170px' }}
        />
      </Group>

      <ErrorAlert error={users.error} title="Could not load users" />

      {users.data && users.data.items.length === 0 ? (
        <ListEmptyState
          icon={<IconUsers size={28} />}
          things="users"
          filtered={filtered}
          onClearFilters={clearFilters}
          description={
            canManage
              ? 'Create the first operator so day-to-day work does not need the admin account.'
              : 'An administrator can add users.'
          }
          action={canManage ? <Button onClick={() => setCreating(true)}>New user</Button> : null}
        />
      ) : null}

      {users.data && users.data.items.length > 0 ? (
        <>
          <UsersTable users={users.data.items} currentUserId={me.user.id} canManage={canManage} onAction={onAction} />
          <ListPager testId="users-count" total={total} page={page} pageSize={PAGE_SIZE} onPage={setPage} noun={['user', 'users']} />
        </>
      ) : null}

      {canManage && !filtered && total === 1 ? (
        <Alert variant="light" icon={<IconInfoCircle size={18} />} title="You are the only user">
          Create the first operator for day-to-day backup work, and viewers for people who only need to look.
        </Alert>
      ) : null}

      <CreateUserModal
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(user) => {
          setCreating(false);
          notifySuccess(`${user.username} can now sign in as ${user.role}.`, 'User created');
        }}
      />

      <Modal opened={dialog !== null} onClose={closeDialog} title={dialog ? titles[dialog.kind] : ''}>
        {dialog?.kind === 'edit' ? (
          <EditUserForm
            user={dialog.user}
            onCancel={closeDialog}
            onSaved={(u) => {
              closeDialog();
              notifySuccess(`Saved ${u.username}.`);
            }}
          />
        ) : null}
        {dialog?.kind === 'reset' ? (
          <ResetPasswordForm
            user={dialog.user}
            onCancel={closeDialog}
            onDone={() => {
              notifySuccess(`New password set for ${dialog.user.username}.`);
              closeDialog();
            }}
          />
        ) : null}
        {dialog?.kind === 'delete' ? (
          <DeleteUserForm
            user={dialog.user}
            onCancel={closeDialog}
            onDone={() => {
              notifySuccess(`Deleted ${dialog.user.username}.`);
              closeDialog();
              if (users.data?.items.length === 1 && page > 1) setPage(page - 1);
            }}
          />
        ) : null}
      </Modal>
    </Stack>
  );
}

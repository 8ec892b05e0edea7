// /users: search and filter users (in the URL: q, role, status), by username, a page at a time
// ("Load more"); admins create, edit, disable and delete them.
import { Alert, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { IconInfoCircle, IconKey, IconSearch, IconUserPlus, IconUsers } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { loadedList } from '@/api/paging';
import { USER_ROLES, type User } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ListEmptyState } from '@/components/ListEmptyState';
import { ListFooter } from '@/components/ListFooter';
import { PageHeader } from '@/components/PageHeader';
import { hasPermission, useSession } from '@/lib/auth';
import { notifyError, notifySuccess } from '@/lib/notify';
import { paths } from '@/lib/paths';
import { useUrlFilters, useUrlSearchText } from '@/lib/urlFilters';
import { useUpdateUser, useUsers } from '../api';
import { CreateUserModal } from '../components/CreateUserModal';
import { DeleteUserForm } from '../components/DeleteUserForm';
import { EditUserForm } from '../components/EditUserForm';
import { ResetPasswordForm } from '../components/ResetPasswordForm';
import { UsersTable, type UserAction } from '../components/UsersTable';

type Dialog = { kind: 'edit' | 'reset' | 'delete'; user: User } | null;

const titles = { edit: 'Edit user', reset: 'Reset password', delete: 'Delete user' } as const;

export function UsersPage() {
  const me = useSession();
  const canManage = hasPermission(me, 'users_manage');
  const { params, setFilter, clearFilters: clearUrl } = useUrlFilters();
  const search = useUrlSearchText('q');
  const q = search.value;
  const role = USER_ROLES.find((r) => r === params.get('role')) ?? null;
  const status = params.get('status') === 'active' || params.get('status') === 'disabled' ? params.get('status') : null;
  const [creating, setCreating] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const update = useUpdateUser();

  const disabled = status === 'disabled' ? true : status === 'active' ? false : null;
  const users = useUsers({ q, role, disabled });
  const list = loadedList(users.data);
  const filtered = !!q.trim() || role !== null || disabled !== null;

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
    search.cancel();
    clearUrl();
  };

  return (
    <Stack gap="md">
      <PageHeader
        mb={0}
        title="Users"
        description="People who can sign in to Cairn, and what their role lets them do."
        actions={
          canManage ? (
            <>
              <Button component={Link} to={paths.ssoProviders()} variant="default" leftSection={<IconKey size={18} />} data-testid="users-sso-link">
                Single sign-on
              </Button>
              <Button leftSection={<IconUserPlus size={18} />} onClick={() => setCreating(true)}>
                New user
              </Button>
            </>
          ) : null
        }
      />

      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          aria-label="Search users"
          placeholder="Search username, name or email"
          leftSection={<IconSearch size={16} />}
          value={search.text}
          onChange={(e) => search.onChange(e.currentTarget.value)}
          style={{ flex: '1 1 260px' }}
        />
        <Select
          aria-label="Filter by role"
          placeholder="All roles"
          clearable
          value={role}
          onChange={(v) => setFilter('role', v)}
          data={[
            { value: 'admin', label: 'Admin' },
            { value: 'operator', label: 'Operator' },
            { value: 'viewer', label: 'Viewer' },
            { value: 'none', label: 'None (host roles only)' },
          ]}
          style={{ flex: '0 1 170px' }}
        />
        <Select
          aria-label="Filter by status"
          placeholder="Any status"
          clearable
          value={status}
          onChange={(v) => setFilter('status', v)}
          data={[
            { value: 'active', label: 'Active' },
            { value: 'disabled', label: 'Disabled' },
          ]}
          style={{ flex: '0 1 170px' }}
        />
      </Group>

      <ErrorAlert error={users.error} title="Could not load users" />

      {users.data && list.items.length === 0 ? (
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

      {list.items.length > 0 ? (
        <>
          <UsersTable users={list.items} currentUserId={me.user.id} canManage={canManage} onAction={onAction} />
          <ListFooter
            testId="users-count"
            shown={list.items.length}
            total={list.total}
            capped={list.capped}
            noun={['user', 'users']}
            hasMore={users.hasNextPage && !users.isPlaceholderData}
            loadingMore={users.isFetchingNextPage}
            onLoadMore={() => void users.fetchNextPage()}
          />
        </>
      ) : null}

      {canManage && !filtered && list.total === 1 && !list.capped ? (
        <Alert variant="light" icon={<IconInfoCircle size={18} />} title="You are the only user">
          Create the first operator for day-to-day backup work, and viewers for people who only need to look.
        </Alert>
      ) : null}

      <CreateUserModal
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(user) => {
          setCreating(false);
          notifySuccess(
            user.role === 'none'
              ? `${user.username} can now sign in, with host roles only.`
              : `${user.username} can now sign in as ${user.role}.`,
            'User created',
          );
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
            }}
          />
        ) : null}
      </Modal>
    </Stack>
  );
}

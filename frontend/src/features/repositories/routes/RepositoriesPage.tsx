// /repositories: where agents back up. Everyone with repos_read sees names, URLs and which
// credentials are set; admins add, initialize (restic init through a linked host), edit and delete.
import { Button, Modal, Stack } from '@mantine/core';
import { IconDatabase, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import type { Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ListEmptyState } from '@/components/ListEmptyState';
import { PageHeader } from '@/components/PageHeader';
import { TableSkeleton } from '@/components/TableSkeleton';
import { hasPermission, useSession } from '@/lib/auth';
import { notifySuccess } from '@/lib/notify';
import { useRepositories } from '../api';
import { DeleteRepositoryForm } from '../components/DeleteRepositoryForm';
import { InitRepositoryForm } from '../components/InitRepositoryForm';
import { RepositoriesTable, type RepositoryAction } from '../components/RepositoriesTable';
import { RepositoryForm } from '../components/RepositoryForm';

type Dialog = { kind: 'create' } | { kind: RepositoryAction; repo: Repository } | null;

function dialogTitle(dialog: Dialog): string {
  if (!dialog) return '';
  if (dialog.kind === 'create') return 'Add repository';
  if (dialog.kind === 'init') return `Initialize ${dialog.repo.name}`;
  return dialog.kind === 'edit' ? `Edit ${dialog.repo.name}` : `Delete ${dialog.repo.name}?`;
}

export function RepositoriesPage() {
  const me = useSession();
  const canManage = hasPermission(me, 'repos_manage');
  const repos = useRepositories();
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);
  const items = repos.data?.items ?? [];
  const addButton = (
    <Button leftSection={<IconPlus size={18} />} onClick={() => setDialog({ kind: 'create' })}>
      Add repository
    </Button>
  );

  return (
    <Stack gap="md">
      <PageHeader
        mb={0}
        title="Repositories"
        description="restic repositories the agents back up to. Passwords and keys are stored encrypted and never shown again."
        actions={canManage ? addButton : null}
      />

      <ErrorAlert error={repos.error} title="Could not load repositories" />
      {repos.isPending ? <TableSkeleton rows={3} label="Loading repositories" /> : null}

      {repos.data && items.length === 0 ? (
        <ListEmptyState
          testId="repositories-empty"
          icon={<IconDatabase size={28} />}
          things="repositories"
          description={
            canManage
              ? 'Add one to tell agents where to back up (a local path, SFTP, S3, B2, or a REST server).'
              : 'An administrator adds repositories to tell agents where to back up (a local path, SFTP, S3, B2, or a REST server).'
          }
          action={canManage ? addButton : null}
        />
      ) : null}

      {items.length > 0 ? (
        <RepositoriesTable repositories={items} canManage={canManage} onAction={(kind, repo) => setDialog({ kind, repo })} />
      ) : null}

      <Modal opened={dialog !== null} onClose={close} title={dialogTitle(dialog)} size={dialog?.kind === 'delete' || dialog?.kind === 'init' ? 'md' : 'lg'}>
        {dialog?.kind === 'create' ? (
          <RepositoryForm
            mode="create"
            onCancel={close}
            onDone={(r) => {
              close();
              notifySuccess(
                `Next, link it to a host on the host's page; if it is a new restic repository, then choose Initialize… in its row's menu.`,
                `${r.name} added`,
              );
            }}
          />
        ) : null}
        {dialog?.kind === 'init' ? <InitRepositoryForm repository={dialog.repo} onCancel={close} /> : null}
        {dialog?.kind === 'edit' ? (
          <RepositoryForm
            mode="edit"
            repository={dialog.repo}
            onCancel={close}
            onDone={(r) => {
              close();
              notifySuccess(`Saved ${r.name}. Hosts using it get the change at their next poll.`);
            }}
          />
        ) : null}
        {dialog?.kind === 'delete' ? (
          <DeleteRepositoryForm
            repository={dialog.repo}
            onCancel={close}
            onDone={() => {
              notifySuccess(`Deleted ${dialog.repo.name}.`);
              close();
            }}
          />
        ) : null}
      </Modal>
    </Stack>
  );
}

// Host detail editors: tags, linked repositories (for hosts_manage; read-only otherwise). Unlinking
// a repository the host's schedules back up to is refused (409): the schedules are named, with
// the way to them.
import { Alert, Anchor, Badge, Button, Group, List, MultiSelect, Stack, TagsInput, Text } from '@mantine/core';
import { IconAlertTriangle, IconDeviceFloppy } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError, detailOf } from '@/api/errors';
import type { Host, Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { notifySuccess } from '@/lib/notify';
import { paths } from '@/lib/paths';
import { hostTagsRule } from '@/lib/validation';
import { useSetHostRepositories, useUpdateHostTags } from '../api';
import { TagBadges } from './HostVersions';

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** An editor's buttons: save (once something changed) and undo back to the saved value. */
function SaveOrUndo({ label, dirty, loading, onUndo }: { label: string; dirty: boolean; loading: boolean; onUndo: () => void }) {
  return (
    <Group gap="xs">
      <Button type="submit" size="xs" leftSection={<IconDeviceFloppy size={14} />} disabled={!dirty} loading={loading}>
        {label}
      </Button>
      {dirty ? (
        <Button size="xs" variant="subtle" color="gray" onClick={onUndo}>
          Undo
        </Button>
      ) : null}
    </Group>
  );
}

export function HostTagsEditor({ host, canManage, tagOptions }: { host: Host; canManage: boolean; tagOptions: string[] }) {
  const update = useUpdateHostTags();
  // The draft starts from the saved tags; the parent remounts this (key) when they change.
  const [tags, setTags] = useState<string[]>(host.tags);
  if (!canManage) return <TagBadges tags={host.tags} />;
  const dirty = !sameSet(tags, host.tags);
  const tagsError = hostTagsRule(tags);
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (tagsError) return;
        update.mutate({ id: host.id, tags }, { onSuccess: () => notifySuccess('Tags saved.') });
      }}
    >
      <Stack gap="xs">
        <TagsInput
          aria-label="Tags"
          placeholder={tags.length ? undefined : 'Add tags, e.g. web, prod'}
          description="Press Enter after each tag."
          data={tagOptions}
          value={tags}
          onChange={setTags}
          error={tagsError}
          clearable
        />
        <ErrorAlert error={update.error} title="Could not save the tags" />
        <SaveOrUndo label="Save tags" dirty={dirty} loading={update.isPending} onUndo={() => setTags(host.tags)} />
      </Stack>
    </form>
  );
}

/** The schedules a refused unlink names (`details.schedules`), or null for any other error. */
function strandedSchedules(error: unknown): string[] | null {
  if (!(error instanceof ApiError) || error.code !== 'host.repository_has_schedules') return null;
  const names = detailOf(error, 'schedules');
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}

function UnlinkRefused({ host, error, names }: { host: Host; error: ApiError; names: string[] }) {
  return (
    <Alert color="red" variant="light" role="alert" icon={<IconAlertTriangle size={18} />} title="Could not save the repository links" data-testid="unlink-refused">
      <Stack gap={4}>
        <Text size="sm">{error.message}</Text>
        {names.length > 0 ? (
          <List size="sm" data-testid="unlink-schedules">
            {names.map((n) => (
              <List.Item key={n}>{n}</List.Item>
            ))}
          </List>
        ) : null}
        <Text size="sm">
          <Anchor component={Link} to={paths.host(host.id, 'schedules')} size="sm">
            Open {host.hostname}’s schedules
          </Anchor>{' '}
          to delete them or move them to another repository, then unlink it.
        </Text>
        <Text size="xs" c="dimmed">
          {error.code}
        </Text>
      </Stack>
    </Alert>
  );
}

export function HostRepositoriesEditor({
  host,
  repositories,
  canManage,
  loading,
}: {
  host: Host;
  repositories: Repository[];
  canManage: boolean;
  loading: boolean;
}) {
  const save = useSetHostRepositories();
  const [selected, setSelected] = useState<string[]>(host.repository_ids);
  const names = new Map(repositories.map((r) => [r.id, r.name]));

  if (!canManage) {
    if (host.repository_ids.length === 0) {
      return (
        <Text size="sm" c="dimmed">
          Not linked to any repository yet.
        </Text>
      );
    }
    return (
      <Group gap={4}>
        {host.repository_ids.map((id) => (
          <Badge key={id} variant="light" tt="none">
            {names.get(id) ?? id}
          </Badge>
        ))}
      </Group>
    );
  }

  const dirty = !sameSet(selected, host.repository_ids);
  const stranded = strandedSchedules(save.error);
  const noRepos = !loading && repositories.length === 0;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(
          { id: host.id, repositoryIds: selected },
          { onSuccess: () => notifySuccess('Repository links saved; the agent gets the new configuration at its next poll.') },
        );
      }}
    >
      <Stack gap="xs">
        <MultiSelect
          aria-label="Linked repositories"
          placeholder={noRepos ? 'No repositories yet' : selected.length ? undefined : 'Pick repositories'}
          data={repositories.map((r) => ({ value: r.id, label: r.name }))}
          value={selected}
          onChange={setSelected}
          searchable
          clearable
          disabled={noRepos}
          nothingFoundMessage="No repository matches"
        />
        {noRepos ? (
          <Text size="sm" c="dimmed">
            Add one under{' '}
            <Anchor component={Link} to={paths.repositories()} size="sm">
              Repositories
            </Anchor>{' '}
            first.
          </Text>
        ) : null}
        {stranded && save.error instanceof ApiError ? (
          <UnlinkRefused host={host} error={save.error} names={stranded} />
        ) : (
          <ErrorAlert error={save.error} title="Could not save the repository links" />
        )}
        <SaveOrUndo label="Save repositories" dirty={dirty} loading={save.isPending} onUndo={() => setSelected(host.repository_ids)} />
      </Stack>
    </form>
  );
}

// Restore drills from the host page: "Restore drill" starts one (a random sample of the newest
// snapshot restored to a temporary directory, checked and timed; the repository is asked for
// when the host has several) and opens its job; "Last verified restore" says how the newest
// drill went and how long its restore took.
import { Anchor, Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { IconShieldCheck } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { Host, Repository } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { JobStatusBadge } from '@/components/JobStatusBadge';
import { formatRelative } from '@/lib/format';
import { paths } from '@/lib/paths';

/** "1.2 s", "850 ms". */
export function restoreTime(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function useLastDrill(hostId: string) {
  return useQuery({
    queryKey: ['jobs', 'host', hostId, 'last-drill'],
    queryFn: async ({ signal }) => {
      const list = await unwrap(api.GET('/v1/jobs', { signal, params: { query: { host_id: hostId, kind: 'drill', limit: 1 } } }));
      const last = list.items[0];
      if (!last) return null;
      // The list may leave the result out: the job's own page has it.
      return last.result?.drill ? last : await unwrap(api.GET('/v1/jobs/{id}', { signal, params: { path: { id: last.id } } }));
    },
    staleTime: 15_000,
  });
}

export function LastDrill({ hostId }: { hostId: string }) {
  const last = useLastDrill(hostId);
  const job = last.data;
  return (
    <Group gap={6} wrap="nowrap" data-testid="host-last-drill">
      <Text size="sm" c="dimmed">
        Last verified restore
      </Text>
      {job ? (
        <Group gap={6} wrap="nowrap">
          <Anchor component={Link} to={paths.job(job.id)} size="sm">
            <JobStatusBadge status={job.status} />
          </Anchor>
          <Text size="sm">
            {formatRelative(job.finished_at ?? job.created_at)}
            {job.result?.drill ? ` · restored in ${restoreTime(job.result.drill.restore_ms)}` : ''}
          </Text>
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {last.isPending ? '…' : 'never'}
        </Text>
      )}
    </Group>
  );
}

export function RestoreDrillButton({ host, repositories }: { host: Host; repositories: Repository[] }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [picking, setPicking] = useState(false);
  const [repositoryId, setRepositoryId] = useState<string | null>(host.repository_ids[0] ?? null);
  const start = useMutation({
    mutationFn: (repository: string) => unwrap(api.POST('/v1/hosts/{id}/drills', { params: { path: { id: host.id } }, body: { repository_id: repository } })),
    onSuccess: (job) => {
      void queryClient.invalidateQueries({ queryKey: keys.jobs.lists() });
      void navigate(paths.job(job.id));
    },
  });
  if (host.repository_ids.length === 0) return null;
  const onClick = () => {
    if (host.repository_ids.length === 1 && host.repository_ids[0]) start.mutate(host.repository_ids[0]);
    else setPicking(true);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (repositoryId) start.mutate(repositoryId);
  };
  return (
    <>
      <Button variant="default" leftSection={<IconShieldCheck size={16} />} onClick={onClick} loading={start.isPending && !picking} data-testid="restore-drill">
        Restore drill
      </Button>
      {!picking ? <ErrorAlert error={start.error} title="The drill was refused" /> : null}
      <Modal opened={picking} onClose={() => setPicking(false)} title="Restore drill">
        <form onSubmit={submit}>
          <Stack gap="sm">
            <Text size="sm">A random sample of the newest snapshot is restored to a temporary directory, checked against the snapshot and timed.</Text>
            <Select
              label="Repository"
              data={host.repository_ids.map((id) => ({ value: id, label: repositories.find((r) => r.id === id)?.name ?? id }))}
              value={repositoryId}
              onChange={setRepositoryId}
              allowDeselect={false}
              data-autofocus
            />
            <ErrorAlert error={start.error} title="The drill was refused" />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setPicking(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={start.isPending} disabled={!repositoryId}>
                Start drill
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

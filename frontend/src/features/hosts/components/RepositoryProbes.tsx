// Host detail, for hosts_manage: each linked repository with a "Test" button that asks the
// host's agent to open it with restic (`restic cat config`) and shows the answer inline:
// reachable (restic's repository id, format, how long opening took), not openable (restic's
// message and error class), or no answer at all (offline, not linked, timed out: the API error).
import { Alert, Box, Button, Group, Loader, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconPlugConnected } from '@tabler/icons-react';
import type { Host, Repository, RepositoryProbeResult } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { useProbeRepository } from '../api';

/** What to try next for the error classes the agent reports most. */
const HINTS: Record<string, string> = {
  'restic.wrong_password': 'Check the repository’s password under Repositories.',
  'restic.repo_missing': 'Check its URL, or initialize it (Repositories → Initialize…).',
  'restic.network': 'Check its URL and that this host can reach it.',
  'restic.locked': 'Another restic process holds a lock on it; try again later.',
  'agent.unknown_repository': 'The agent has not applied the configuration that links it yet; try again after its next poll.',
};

/** Milliseconds for people: "420 ms", "1.4 s" (a no-break space keeps the unit on the line). */
export function formatMillis(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}\u00a0ms` : `${(ms / 1000).toFixed(1)}\u00a0s`;
}

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** The time of day of an answer ("10:05:03"): it was just now, the date adds nothing. */
function formatClock(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : clock.format(date);
}

/** restic's repository id is 64 hex digits; its first 8 name it (like a snapshot's short id). */
export function shortResticId(id: string): string {
  return id.slice(0, 8);
}

function Reachable({ result }: { result: RepositoryProbeResult }) {
  const facts: string[] = [];
  if (result.restic_version) facts.push(`restic ${result.restic_version}`);
  facts.push(`round trip ${formatMillis(result.round_trip_ms)}`);
  return (
    <Group gap={8} wrap="nowrap" align="flex-start" data-testid="repository-probe-ok">
      <IconCircleCheck size={18} color="var(--mantine-color-teal-6)" style={{ flex: 'none', marginTop: 1 }} aria-hidden />
      <div style={{ minWidth: 0 }}>
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          Reachable
          {result.restic_repository_id ? (
            <>
              {' · repository '}
              <Text span ff="monospace" size="sm" title={result.restic_repository_id} data-testid="repository-probe-id">
                {shortResticId(result.restic_repository_id)}
              </Text>
            </>
          ) : null}
          {result.format_version !== undefined ? ` (format ${result.format_version})` : null}
          {result.open_ms !== undefined ? ` · opened in ${formatMillis(result.open_ms)} from this host` : null}
        </Text>
        <Text size="xs" c="dimmed">
          {facts.join(' · ')} · checked at {formatClock(result.checked_at)}
        </Text>
      </div>
    </Group>
  );
}

function Unreachable({ result, name }: { result: RepositoryProbeResult; name: string }) {
  const hint = result.error_class ? HINTS[result.error_class] : undefined;
  return (
    <Alert
      color="red"
      variant="light"
      p="xs"
      title={`This host could not open ${name}`}
      icon={<IconAlertTriangle size={18} />}
      role="alert"
      data-testid="repository-probe-failed"
      data-error-class={result.error_class ?? ''}
    >
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {result.message || 'restic could not open the repository.'}
      </Text>
      {hint ? (
        <Text size="sm" mt={4}>
          {hint}
        </Text>
      ) : null}
      {result.error_class ? (
        <Text size="xs" c="dimmed" mt={4} ff="monospace">
          {result.error_class}
        </Text>
      ) : null}
    </Alert>
  );
}

/** A row's `data-state`, for tests and the e2e run to wait on. */
function probeState(probe: ReturnType<typeof useProbeRepository>): 'idle' | 'testing' | 'reachable' | 'unreachable' | 'error' {
  if (probe.isPending) return 'testing';
  if (probe.isError) return 'error';
  if (!probe.data) return 'idle';
  return probe.data.reachable ? 'reachable' : 'unreachable';
}

function RepositoryProbeRow({ host, repositoryId, name }: { host: Host; repositoryId: string; name: string }) {
  const probe = useProbeRepository();
  const state = probeState(probe);
  return (
    <Stack gap={6} data-testid="repository-probe" data-repository-id={repositoryId} data-state={state}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" fw={500} style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
          {name}
        </Text>
        <Button
          size="xs"
          variant="default"
          style={{ flex: 'none' }}
          leftSection={probe.isPending ? <Loader size={12} /> : <IconPlugConnected size={14} />}
          // The visible words first, then which repository (several rows may each have one).
          aria-label={`${probe.isPending ? 'Testing…' : 'Test'} ${name}`}
          // Not `disabled`: the button keeps the keyboard focus while the test runs.
          aria-disabled={probe.isPending || undefined}
          data-disabled={probe.isPending || undefined}
          onClick={() => {
            if (!probe.isPending) probe.mutate({ hostId: host.id, repositoryId });
          }}
        >
          {probe.isPending ? 'Testing…' : 'Test'}
        </Button>
      </Group>
      {/* Always rendered, so screen readers announce what appears in it. */}
      <Box aria-live="polite">
        {probe.isPending ? (
          <Text size="sm" c="dimmed">
            Testing… restic is opening {name} on {host.hostname}; this can take a few seconds.
          </Text>
        ) : probe.data?.reachable ? (
          <Reachable result={probe.data} />
        ) : null}
      </Box>
      {probe.data && !probe.data.reachable && !probe.isPending ? <Unreachable result={probe.data} name={name} /> : null}
      <ErrorAlert error={probe.error} title={`Could not test ${name}`} />
    </Stack>
  );
}

/** The host's saved repository links, each with its test; nothing when it has none. */
export function RepositoryProbes({ host, repositories }: { host: Host; repositories: Repository[] }) {
  if (host.repository_ids.length === 0) return null;
  const names = new Map(repositories.map((r) => [r.id, r.name]));
  return (
    <Stack gap="xs" data-testid="repository-probes">
      <div>
        <Text size="sm" fw={600}>
          Test access from this host
        </Text>
        <Text size="xs" c="dimmed">
          The agent opens each repository with its password (restic cat config) and reports back.
        </Text>
      </div>
      {host.repository_ids.map((id) => (
        <RepositoryProbeRow key={id} host={host} repositoryId={id} name={names.get(id) ?? id} />
      ))}
    </Stack>
  );
}

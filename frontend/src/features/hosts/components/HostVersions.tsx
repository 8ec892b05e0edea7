// Agent version (with an "outdated" badge) and restic version ("not installed" in orange).
import { Badge, Group, Text, Tooltip } from '@mantine/core';
import type { Host } from '@/api/types';

export function AgentVersion({ host }: { host: Pick<Host, 'agent_version' | 'agent_outdated'> }) {
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" ff="monospace">
        {host.agent_version || '—'}
      </Text>
      {host.agent_outdated ? (
        <Tooltip label="Older than this server: update cairn-agent on the host">
          <Badge size="xs" color="yellow" variant="light" data-testid="agent-outdated">
            outdated
          </Badge>
        </Tooltip>
      ) : null}
    </Group>
  );
}

export function ResticVersion({ version }: { version: string | undefined }) {
  if (!version) {
    return (
      <Tooltip label="Install restic on the host (e.g. apt install restic); backups cannot run without it">
        <Text size="sm" c="orange" fw={500} data-testid="restic-missing">
          not installed
        </Text>
      </Tooltip>
    );
  }
  return (
    <Text size="sm" ff="monospace">
      {version}
    </Text>
  );
}

export function TagBadges({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Group gap={4}>
      {tags.map((t) => (
        <Badge key={t} size="sm" variant="light" color="indigo" tt="none">
          {t}
        </Badge>
      ))}
    </Group>
  );
}

// The repository page's "Copies (3-2-1)": each source → mirror pair this repository is either
// side of (one host's snapshots, or every host's), its newest copy job (status, when, linked),
// how many snapshots in scope the mirror lacks, and how far behind the mirror is: up to date,
// behind (yellow, under 26 h), stale (red), or not measured yet. Operators start a copy below.
import { Anchor, Badge, Button, Card, Group, Paper, Skeleton, Stack, Text, Title, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconCopy } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { RepositoryCopy } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { JobStatusBadge } from '@/components/JobStatusBadge';
import { RelativeTime } from '@/components/RelativeTime';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { formatCount } from '@/lib/units';
import { useRepositoryCopies } from '../api';
import { stalenessOf } from '../copies';

/** One side of a pair: this repository in bold, the other one a link to its page. */
function Side({ id, name, current }: { id: string; name: string; current: boolean }) {
  if (current) {
    return (
      <Text span fw={650} size="sm" style={{ overflowWrap: 'anywhere' }}>
        {name}
      </Text>
    );
  }
  return (
    <Anchor component={Link} to={paths.repository(id)} size="sm" fw={650} style={{ overflowWrap: 'anywhere' }}>
      {name}
    </Anchor>
  );
}

function StalenessBadge({ pair }: { pair: RepositoryCopy }) {
  const s = stalenessOf(pair.behind_seconds);
  const help =
    s.level === 'unmeasured'
      ? 'No copy has run to the end yet, so nothing was measured.'
      : `Newest in the source: ${formatDateTime(pair.source_newest)}; newest in the mirror: ${formatDateTime(pair.copied_newest)}.`;
  return (
    <Tooltip label={help} withArrow multiline maw={320}>
      <Badge color={s.color} variant="light" tt="none" data-testid="copy-staleness" data-level={s.level} style={{ flexShrink: 0 }}>
        {s.label}
      </Badge>
    </Tooltip>
  );
}

function Missing({ pair }: { pair: RepositoryCopy }) {
  if (pair.missing === undefined) return null;
  const of = pair.source_snapshots !== undefined ? ` of ${formatCount(pair.source_snapshots)}` : '';
  return (
    <Text size="sm" c={pair.missing > 0 ? 'orange' : 'dimmed'} data-testid="copy-missing">
      {pair.missing > 0 ? `${formatCount(pair.missing)} missing${of}` : `none missing${of}`}
    </Text>
  );
}

function Pair({ pair, repositoryId }: { pair: RepositoryCopy; repositoryId: string }) {
  return (
    <Paper
      component="li"
      withBorder
      radius="md"
      p="sm"
      style={{ listStyle: 'none' }}
      data-testid="copy-pair"
      data-source={pair.source_id}
      data-mirror={pair.mirror_id}
    >
      <Stack gap={6}>
        <Group justify="space-between" align="flex-start" gap="xs">
          <Group gap={6} wrap="wrap" miw={0} style={{ flex: '1 1 14rem' }} data-testid="copy-direction">
            <Side id={pair.source_id} name={pair.source_name} current={pair.source_id === repositoryId} />
            <Text span size="sm" c="dimmed" aria-hidden>
              →
            </Text>
            <VisuallyHidden>copied to</VisuallyHidden>
            <Side id={pair.mirror_id} name={pair.mirror_name} current={pair.mirror_id === repositoryId} />
            <Badge variant="outline" color="gray" tt="none" fw={500} data-testid="copy-host" style={{ maxWidth: '100%' }}>
              {pair.host ?? 'all hosts'}
            </Badge>
          </Group>
          <StalenessBadge pair={pair} />
        </Group>
        <Group gap="md" wrap="wrap">
          <Anchor component={Link} to={paths.job(pair.last_job_id)} underline="never" data-testid="copy-last-job">
            <Group gap={6} wrap="nowrap">
              <Text span size="xs" c="dimmed">
                Last copy
              </Text>
              <JobStatusBadge status={pair.last_status} size="sm" />
              <RelativeTime value={pair.last_at} />
            </Group>
          </Anchor>
          <Missing pair={pair} />
        </Group>
      </Stack>
    </Paper>
  );
}

interface Props {
  repositoryId: string;
  /** May start a copy (repos_maintain): the "Copy to mirror" button is shown. */
  canCopy: boolean;
  /** Why the button is disabled (e.g. no linked host; empty while that is not known yet); enabled when absent. */
  disabledReason?: string;
  onCopy: () => void;
}

export function CopiesSection({ repositoryId, canCopy, disabledReason, onCopy }: Props) {
  const copies = useRepositoryCopies(repositoryId);
  const items = copies.data?.items ?? [];
  return (
    <Card withBorder radius="md" padding="lg" data-testid="repository-copies">
      <Stack gap="sm">
        <div>
          <Title order={3} fz="h4">
            Copies (3-2-1)
          </Title>
          <Text size="sm" c="dimmed">
            Snapshots copied between this repository and a second one (restic copy), and how far each mirror is behind.
          </Text>
        </div>
        <ErrorAlert error={copies.error} title="Could not load the copies" />
        {copies.isPending ? <Skeleton height={60} /> : null}
        {copies.data && items.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="copies-empty">
            {canCopy
              ? 'No copies yet. Copy this repository’s snapshots to a second repository with Copy to mirror below, or set Copy to a mirror on a schedule.'
              : 'No copies yet. An operator can copy this repository’s snapshots to a second repository, or set Copy to a mirror on a schedule.'}
          </Text>
        ) : null}
        {items.length > 0 ? (
          <Stack component="ul" gap="xs" p={0} m={0} aria-label="Copies">
            {items.map((pair) => (
              <Pair key={`${pair.source_id}/${pair.mirror_id}/${pair.host ?? ''}`} pair={pair} repositoryId={repositoryId} />
            ))}
          </Stack>
        ) : null}
        {canCopy ? (
          <Group gap="sm" wrap="wrap">
            <Button variant="default" size="sm" leftSection={<IconCopy size={16} />} disabled={disabledReason !== undefined} onClick={onCopy}>
              Copy to mirror…
            </Button>
            {disabledReason ? (
              <Text size="xs" c="dimmed" style={{ flex: '1 1 14rem' }}>
                {disabledReason}
              </Text>
            ) : null}
          </Group>
        ) : null}
      </Stack>
    </Card>
  );
}

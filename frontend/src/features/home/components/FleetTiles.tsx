// Fleet tiles: hosts total, online, offline, waiting for approval; each opens the matching
// filtered Hosts view. Real counts only: a tile that failed to load says so, and a count the
// server stopped at shows as "10,000+".
import { Card, Group, SimpleGrid, Skeleton, Text, ThemeIcon } from '@mantine/core';
import { IconClockHour4, IconPlugConnected, IconPlugConnectedX, IconServer } from '@tabler/icons-react';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { paths } from '@/lib/paths';
import { formatTotal } from '@/lib/units';
import { useHostCount, usePendingCount, type Count } from '../api';

interface Tile {
  id: string;
  label: string;
  to: string;
  icon: ReactNode;
  color: string;
  query: UseQueryResult<Count>;
  hint: (n: number) => string;
}

function TileCard({ tile }: { tile: Tile }) {
  const { query } = tile;
  const shown = query.data ? formatTotal(query.data.n, query.data.capped) : undefined;
  return (
    <Card
      withBorder
      radius="md"
      padding="md"
      component={Link}
      to={tile.to}
      aria-label={`${tile.label}: ${shown ?? 'loading'}`}
      data-testid={`tile-${tile.id}`}
      data-value={query.data?.n ?? ''}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {tile.label}
          </Text>
          {shown !== undefined ? (
            <Text fz={32} fw={700} lh={1.2} data-testid={`tile-${tile.id}-value`}>
              {shown}
            </Text>
          ) : query.isError ? (
            <Text fz={32} fw={700} lh={1.2} c="dimmed" title="Could not load">
              ?
            </Text>
          ) : (
            <Skeleton height={32} width={48} mt={4} />
          )}
        </div>
        <ThemeIcon variant="light" color={tile.color} size="lg" radius="md">
          {tile.icon}
        </ThemeIcon>
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        {query.data ? tile.hint(query.data.n) : '\u00a0'}
      </Text>
    </Card>
  );
}

/** `withPending`: pending agents are listed only to hosts_read over all hosts (never a host role). */
export function FleetTiles({ withPending = true }: { withPending?: boolean }) {
  const total = useHostCount(null, true);
  const online = useHostCount('online', true);
  const offline = useHostCount('offline', true);
  const pending = usePendingCount(withPending);
  const tiles: Tile[] = [
    {
      id: 'total',
      label: 'Hosts',
      to: paths.hosts(),
      icon: <IconServer size={20} />,
      color: 'blue',
      query: total,
      hint: (n) => (n === 0 ? 'Add your first host' : 'Enrolled agents'),
    },
    {
      id: 'online',
      label: 'Online',
      to: paths.hosts({ status: 'online' }),
      icon: <IconPlugConnected size={20} />,
      color: 'green',
      query: online,
      hint: () => 'Polled the server recently',
    },
    {
      id: 'offline',
      label: 'Offline',
      to: paths.hosts({ status: 'offline' }),
      icon: <IconPlugConnectedX size={20} />,
      color: 'gray',
      query: offline,
      hint: (n) => (n === 0 ? 'None' : 'Not heard from lately'),
    },
    {
      id: 'pending',
      label: 'Pending approval',
      to: paths.pendingHosts(),
      icon: <IconClockHour4 size={20} />,
      color: 'yellow',
      query: pending,
      hint: (n) => (n === 0 ? 'No agent is waiting' : 'Compare fingerprints, then accept'),
    },
  ];
  const shown = withPending ? tiles : tiles.filter((t) => t.id !== 'pending');
  const error = total.error ?? online.error ?? offline.error ?? pending.error;
  return (
    <>
      <SimpleGrid cols={{ base: 2, md: shown.length }} spacing="md" data-testid="fleet-tiles">
        {shown.map((t) => (
          <TileCard key={t.id} tile={t} />
        ))}
      </SimpleGrid>
      <ErrorAlert error={error} title="Could not load the fleet counts" />
    </>
  );
}

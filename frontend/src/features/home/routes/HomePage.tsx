// / : who you are, the fleet at a glance (real counts, each tile opens the filtered host list;
// unresolved alerts by severity; the newest restore drill) and where to go next.
import { Card, Group, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import {
  IconArrowRight,
  IconDatabase,
  IconListDetails,
  IconServer,
  IconUserCircle,
  IconUsers,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { Permission } from '@/api/types';
import { Link } from 'react-router';
import { HostRoleBadges } from '@/components/HostRoleBadges';
import { RoleBadge } from '@/components/RoleBadge';
import { hasHostPermission, hasPermission, useSession } from '@/lib/auth';
import { paths } from '@/lib/paths';
import { AlertsTile } from '../components/AlertsTile';
import { DrillTile } from '../components/DrillTile';
import { FleetTiles } from '../components/FleetTiles';

interface Shortcut {
  to: string;
  title: string;
  description: string;
  icon: ReactNode;
  show: boolean;
}

export function HomePage() {
  const me = useSession();
  // Fleet pages admit host roles (the server shows only the hosts in scope); managing
  // the fleet, repositories, users and the audit log needs the permission over all hosts.
  const onHosts = (p: Permission) => hasHostPermission(me, p);
  const name = me.user.display_name || me.user.username;
  const shortcuts: Shortcut[] = [
    {
      to: paths.hosts(),
      title: 'Hosts',
      description: hasPermission(me, 'hosts_manage')
        ? 'Enroll machines with one command, tag them, test their connection.'
        : 'Every enrolled machine, its agent and restic versions, and when it was last seen.',
      icon: <IconServer size={20} />,
      show: onHosts('hosts_read'),
    },
    {
      to: paths.repositories(),
      title: 'Repositories',
      description: hasPermission(me, 'repos_manage')
        ? 'Where agents back up: local paths, SFTP, S3, B2 or a REST server, with encrypted credentials.'
        : 'Where agents back up.',
      icon: <IconDatabase size={20} />,
      show: onHosts('repos_read'),
    },
    {
      to: paths.users(),
      title: 'Users',
      description: hasPermission(me, 'users_manage')
        ? 'Invite operators and viewers, change roles, reset passwords.'
        : 'See who can sign in to Cairn.',
      icon: <IconUsers size={20} />,
      show: hasPermission(me, 'users_read'),
    },
    {
      to: paths.audit(),
      title: 'Audit log',
      description: 'Every sign-in, change and refused request, hash-chained so tampering shows.',
      icon: <IconListDetails size={20} />,
      show: hasPermission(me, 'audit_read'),
    },
    {
      to: paths.profile(),
      title: 'Profile',
      description: 'Your name, email and password, and API tokens for scripts.',
      icon: <IconUserCircle size={20} />,
      show: true,
    },
  ];

  return (
    <Stack gap="lg">
      <Stack gap={6}>
        <Title order={2}>Welcome, {name}</Title>
        <Group gap={6} data-testid="signed-in-as">
          <Text c="dimmed">
            Signed in as <b>{me.user.username}</b>
          </Text>
          <RoleBadge role={me.user.role} label={me.user.role === 'none' ? 'Host roles only' : undefined} />
          <HostRoleBadges bindings={me.bindings} />
        </Group>
      </Stack>

      {onHosts('hosts_read') ? <FleetTiles withPending={hasPermission(me, 'hosts_read')} /> : null}
      {onHosts('hosts_read') || onHosts('alerts_read') ? (
        // Half the width each on a wide screen, like a shortcut card: a sentence or a few numbers.
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          {onHosts('alerts_read') ? <AlertsTile /> : null}
          {onHosts('hosts_read') ? <DrillTile /> : null}
        </SimpleGrid>
      ) : null}

      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
        {shortcuts
          .filter((s) => s.show)
          .map((s) => (
            <Card key={s.to} withBorder padding="lg" radius="md" component={Link} to={s.to} aria-label={s.title}>
              <Group gap="sm" mb="xs" wrap="nowrap">
                <ThemeIcon variant="light" size="lg" radius="md">
                  {s.icon}
                </ThemeIcon>
                <Text fw={600}>{s.title}</Text>
              </Group>
              <Text size="sm" c="dimmed" mb="sm">
                {s.description}
              </Text>
              <Group gap={4} c="blue" mt="auto">
                <Text size="sm" fw={500} inherit>
                  Open
                </Text>
                <IconArrowRight size={14} />
              </Group>
            </Card>
          ))}
      </SimpleGrid>

    </Stack>
  );
}

// The signed-in shell: header (product, color scheme, user menu), a navbar that collapses
// behind a burger on phones, and the routed page.
import { AppShell, Burger, Container, Group, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, Outlet } from 'react-router';
import { CairnLogo } from '@/components/CairnLogo';
import { useLogout } from '@/features/auth';
import { useServerInfo, useSession } from '@/lib/auth';
import { paths } from '@/lib/paths';
import { ColorSchemeToggle } from './ColorSchemeToggle';
import { MainNav } from './MainNav';
import { UserMenu } from './UserMenu';

export function AppLayout() {
  const me = useSession();
  const info = useServerInfo();
  const logout = useLogout(me.user.sso_provider_id);
  const [opened, { toggle, close }] = useDisclosure(false);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 232, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={{ base: 'sm', sm: 'lg' }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Link to={paths.home()} style={{ color: 'inherit', textDecoration: 'none' }} aria-label="Cairn home">
              <CairnLogo />
            </Link>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <ColorSchemeToggle />
            <UserMenu me={me} onSignOut={() => logout.mutate()} signingOut={logout.isPending} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <AppShell.Section grow>
          <MainNav hostPermissions={me.host_permissions} onNavigate={close} />
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" px="sm" pb={4}>
            {info.data ? `Cairn ${info.data.version}` : 'Cairn'}
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Container size="xl" px={0}>
          <Outlet />
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}

// Sidebar navigation, filtered by what the signed-in user may do on some hosts at least.
import { NavLink, Stack } from '@mantine/core';
import { NavLink as RouterNavLink, useLocation } from 'react-router';
import type { Permission } from '@/api/types';
import { paths } from '@/lib/paths';
import { visibleNavItems } from './navItems';

const home = paths.home();

export function MainNav({ hostPermissions, onNavigate }: { hostPermissions: readonly Permission[]; onNavigate?: () => void }) {
  const { pathname } = useLocation();
  return (
    <Stack component="nav" aria-label="Main" gap={4}>
      {visibleNavItems(hostPermissions).map(({ to, label, icon: Icon, badge: Badge }) => (
        <NavLink
          key={to}
          component={RouterNavLink}
          to={to}
          end={to === home}
          label={label}
          leftSection={<Icon size={18} stroke={1.7} />}
          rightSection={Badge ? <Badge /> : undefined}
          active={to === home ? pathname === home : pathname.startsWith(to)}
          onClick={onNavigate}
          variant="light"
          style={{ borderRadius: 'var(--mantine-radius-md)' }}
        />
      ))}
    </Stack>
  );
}

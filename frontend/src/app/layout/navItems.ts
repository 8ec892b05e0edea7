// The navigation entries and the permission each one needs; the one place that gates the menu.
// Entries are shown by the permissions held on SOME hosts (`Me.host_permissions`): a user with
// host roles only sees Hosts, Jobs, Alerts and Repositories, filtered by the server to their hosts.
// Users and Audit need users_read/audit_read, which host roles never give.
import { IconBell, IconDatabase, IconHistory, IconHome, IconListDetails, IconServer, IconUserCircle, IconUsers } from '@tabler/icons-react';
import type { ComponentType } from 'react';
import type { Permission } from '@/api/types';
import { OpenAlertsBadge } from '@/components/OpenAlertsBadge';
import { paths } from '@/lib/paths';

export interface NavItem {
  to: string;
  label: string;
  icon: ComponentType<{ size?: number | string; stroke?: number }>;
  permission?: Permission;
  /** A live count beside the label (rendered only for those who may see the entry). */
  badge?: ComponentType;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { to: paths.home(), label: 'Home', icon: IconHome },
  { to: paths.hosts(), label: 'Hosts', icon: IconServer, permission: 'hosts_read' },
  { to: paths.jobs(), label: 'Jobs', icon: IconHistory, permission: 'hosts_read' },
  { to: paths.alerts(), label: 'Alerts', icon: IconBell, permission: 'alerts_read', badge: OpenAlertsBadge },
  { to: paths.repositories(), label: 'Repositories', icon: IconDatabase, permission: 'repos_read' },
  { to: paths.users(), label: 'Users', icon: IconUsers, permission: 'users_read' },
  { to: paths.audit(), label: 'Audit log', icon: IconListDetails, permission: 'audit_read' },
  { to: paths.profile(), label: 'Profile', icon: IconUserCircle },
];

/** `hostPermissions`: what the user may do on some hosts at least (`Me.host_permissions`). */
export function visibleNavItems(hostPermissions: readonly Permission[]): NavItem[] {
  return NAV_ITEMS.filter((item) => !item.permission || hostPermissions.includes(item.permission));
}

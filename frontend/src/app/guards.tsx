// Route guards: send everything to /setup while the server needs its first admin, send
// signed-out visitors to /login?next=…, and show "no access" for pages a role may not see.
import { Button, Center, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ApiError } from '@/api/errors';
import type { Permission } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FullPageLoader } from '@/components/FullPageLoader';
import { NoAccess } from '@/components/NoAccess';
import { hasHostPermission, hasPermission, useMe, useServerInfo } from '@/lib/auth';
import { paths } from '@/lib/paths';

function LoadFailed({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <Center mih="100vh" p="md">
      <Stack maw={460} w="100%">
        <ErrorAlert error={error} title="Cairn could not load" />
        <Button variant="default" onClick={retry}>
          Try again
        </Button>
      </Stack>
    </Center>
  );
}

export function SetupGate() {
  const info = useServerInfo();
  const { pathname } = useLocation();
  if (info.isPending) return <FullPageLoader />;
  if (info.isError) return <LoadFailed error={info.error} retry={() => void info.refetch()} />;
  const onSetup = pathname === paths.setup();
  if (info.data.setup_required && !onSetup) return <Navigate to={paths.setup()} replace />;
  if (!info.data.setup_required && onSetup) return <Navigate to={paths.home()} replace />;
  return <Outlet />;
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  // Data first: a failed background refetch keeps the page (the 401 handler takes over),
  // and a cleared cache shows the loader rather than rendering children without a session.
  if (me.data) return children;
  if (me.isError) {
    if (me.error instanceof ApiError && (me.error.status === 401 || me.error.status === 403)) {
      return <Navigate to={paths.login(location.pathname + location.search)} replace />;
    }
    return <LoadFailed error={me.error} retry={() => void me.refetch()} />;
  }
  return <FullPageLoader />;
}

/**
 * A page behind a permission. `onHosts` pages (hosts, their jobs, snapshots, alerts,
 * repositories) admit a host-scoped role too: the server lists only the hosts in scope.
 * The others need the permission over all hosts.
 */
export function RequirePermission({
  permission,
  onHosts = false,
  what,
  children,
}: {
  permission: Permission;
  onHosts?: boolean;
  what: string;
  children: ReactNode;
}) {
  const me = useMe();
  const allowed = onHosts ? hasHostPermission(me.data, permission) : hasPermission(me.data, permission);
  return allowed ? children : <NoAccess what={what} />;
}

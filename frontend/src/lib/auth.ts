// Session state shared by the app shell and every feature: the server info (setup needed?),
// the signed-in user (`Me`) and permission checks. Features read it; only auth/setup write it.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, API_PREFIX } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { Me, Permission, Role } from '@/api/types';
import { patterns } from './paths';

export function useServerInfo() {
  return useQuery({
    queryKey: keys.info,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/info', { signal })),
    staleTime: 60_000,
  });
}

export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/auth/me', { signal })),
    staleTime: 30_000,
  });
}

/** The signed-in user; only call below the RequireAuth guard, which waits for it. */
export function useSession(): Me {
  const { data } = useMe();
  if (!data) throw new Error('useSession() used outside an authenticated route');
  return data;
}

/** The permission over ALL hosts (the `role`): what global-only operations need. */
export function hasPermission(me: Me | null | undefined, permission: Permission): boolean {
  return !!me && me.permissions.includes(permission);
}

export function usePermission(permission: Permission): boolean {
  return hasPermission(useMe().data, permission);
}

/**
 * The permission on some hosts at least (the role over all hosts, or a host-scoped binding);
 * the server decides per host. Gates host-level pages and actions, which lists already filter
 * to the hosts in scope.
 */
export function hasHostPermission(me: Me | null | undefined, permission: Permission): boolean {
  return !!me && me.host_permissions.includes(permission);
}

export function useHostPermission(permission: Permission): boolean {
  return hasHostPermission(useMe().data, permission);
}

/**
 * The permission on this host (`Host.my_permissions`: the role over all hosts and the host
 * roles whose tags it carries). A host's own page shows its actions by this, so an operator on
 * `web` who only views `db` sees no "Run backup now" on a db host. False while the host loads.
 */
export function canOnHost(host: { my_permissions: readonly Permission[] } | null | undefined, permission: Permission): boolean {
  return !!host && host.my_permissions.includes(permission);
}

const RANK: Record<Role, number> = { none: 0, viewer: 1, operator: 2, admin: 3 };

/** The strongest of the role over all hosts and the host roles (what caps a new API token). */
export function highestRole(me: Me): Role {
  return me.bindings.reduce<Role>((best, b) => (RANK[b.role] > RANK[best] ? b.role : best), me.role);
}

/** Store a freshly returned Me (after login, setup or a profile change). */
export function useStoreSession() {
  const queryClient = useQueryClient();
  return (me: Me) => {
    queryClient.setQueryData(keys.me, me);
    queryClient.setQueryData(keys.info, (info) => (info ? { ...info, setup_required: false } : info));
  };
}

/** Only same-site paths are accepted as a post-login destination (no open redirect). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return patterns.home;
  if (next.startsWith(patterns.login) || next.startsWith(patterns.setup)) return patterns.home;
  return next;
}

/** Where a "Sign in with …" button goes (a full page load): the provider, then back to `next`. */
export function ssoStartHref(slug: string, next: string): string {
  return `${API_PREFIX}/v1/auth/oidc/${encodeURIComponent(slug)}/start?next=${encodeURIComponent(next)}`;
}

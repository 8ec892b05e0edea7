// Session state shared by the app shell and every feature: the server info (setup needed?),
// the signed-in user (`Me`) and permission checks. Features read it; only auth/setup write it.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, API_PREFIX } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { Me, Permission } from '@/api/types';
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

export function hasPermission(me: Me | null | undefined, permission: Permission): boolean {
  return !!me && me.permissions.includes(permission);
}

export function usePermission(permission: Permission): boolean {
  return hasPermission(useMe().data, permission);
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

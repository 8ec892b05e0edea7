// Session state shared by the app shell and every feature: the server info (setup needed?),
// the signed-in user (`Me`) and permission checks. Features read it; only auth/setup write it.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import type { Me, Permission, ServerInfo } from '@/api/types';

export const infoKey = ['server-info'] as const;
export const meKey = ['auth', 'me'] as const;

export function useServerInfo() {
  return useQuery({
    queryKey: infoKey,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/info', { signal })),
    staleTime: 60_000,
  });
}

export function useMe() {
  return useQuery({
    queryKey: meKey,
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
    queryClient.setQueryData(meKey, me);
    queryClient.setQueryData<ServerInfo>(infoKey, (info) => (info ? { ...info, setup_required: false } : info));
  };
}

/** Only same-site paths are accepted as a post-login destination (no open redirect). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/login') || next.startsWith('/setup')) return '/';
  return next;
}

// Auth API hooks: sign in and sign out (session cookies are set and cleared by the server).
import { useMutation } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import type { LoginRequest } from '@/api/types';
import { useStoreSession } from '@/lib/auth';
import { paths } from '@/lib/paths';

export function useLogin() {
  const storeSession = useStoreSession();
  return useMutation({
    mutationFn: (body: LoginRequest) => unwrap(api.POST('/v1/auth/login', { body })),
    onSuccess: storeSession,
  });
}

/**
 * Signs out, then reloads at /login: nothing of the previous session stays in memory. A user
 * who came through single sign-on lands with `signed_out=<provider id>`, so the page can offer
 * signing out at the provider too.
 */
export function useLogout(ssoProviderId?: string) {
  return useMutation({
    mutationFn: () => unwrap(api.POST('/v1/auth/logout')),
    onSettled: () =>
      window.location.replace(ssoProviderId ? `${paths.login()}?signed_out=${encodeURIComponent(ssoProviderId)}` : paths.login()),
  });
}

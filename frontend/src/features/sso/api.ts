// Single sign-on API hooks (admins): providers (list, create or replace, delete) and the
// password sign-in switch (read, turn on or off).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { SignInSettingsRequest, SsoProviderRequest } from '@/api/types';

export function useSsoProviders() {
  return useQuery({
    queryKey: keys.ssoProviders.list(),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/sso-providers', { signal })),
  });
}

/** Create (no id) or replace a provider; a replace without `client_secret` keeps the stored one. */
export function useSaveSsoProvider(id: string | null) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SsoProviderRequest) =>
      id === null
        ? unwrap(api.POST('/v1/sso-providers', { body }))
        : unwrap(api.PUT('/v1/sso-providers/{id}', { params: { path: { id } }, body })),
    onSuccess: () =>
      Promise.all([queryClient.invalidateQueries({ queryKey: keys.ssoProviders.all }), queryClient.invalidateQueries({ queryKey: keys.info })]),
  });
}

export function useDeleteSsoProvider() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/sso-providers/{id}', { params: { path: { id } } })),
    onSuccess: () =>
      Promise.all([queryClient.invalidateQueries({ queryKey: keys.ssoProviders.all }), queryClient.invalidateQueries({ queryKey: keys.info })]),
  });
}

export function useSignInSettings() {
  return useQuery({
    queryKey: keys.signInSettings,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/sign-in-settings', { signal })),
  });
}

/** Turn password sign-in on or off; the sign-in page reads it from /v1/info, so that is refetched too. */
export function useUpdateSignInSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SignInSettingsRequest) => unwrap(api.PUT('/v1/sign-in-settings', { body })),
    onSuccess: (settings) => {
      queryClient.setQueryData(keys.signInSettings, settings);
      return Promise.all([queryClient.invalidateQueries({ queryKey: keys.signInSettings }), queryClient.invalidateQueries({ queryKey: keys.info })]);
    },
  });
}

// Single sign-on providers API hooks (admins): list, create or replace, delete.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { SsoProviderRequest } from '@/api/types';

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

// Profile API hooks: own display name/email, own password, and personal API tokens.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { keys } from '@/api/queryKeys';
import type { ChangePasswordRequest, CreateApiTokenRequest, UpdateProfileRequest } from '@/api/types';
import { useStoreSession } from '@/lib/auth';

export function useUpdateProfile() {
  const storeSession = useStoreSession();
  return useMutation({
    mutationFn: (body: UpdateProfileRequest) => unwrap(api.PATCH('/v1/auth/me', { body })),
    onSuccess: storeSession,
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: ChangePasswordRequest) => unwrap(api.POST('/v1/auth/me/password', { body })),
  });
}

export function useTokens() {
  return useQuery({
    queryKey: keys.tokens,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/auth/tokens', { signal })),
  });
}

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiTokenRequest) => unwrap(api.POST('/v1/auth/tokens', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.tokens }),
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/auth/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.tokens }),
  });
}

// Auth API hooks: sign in and sign out (session cookies are set and cleared by the server).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import type { LoginRequest } from '@/api/types';
import { useStoreSession } from '@/lib/auth';

export function useLogin() {
  const storeSession = useStoreSession();
  return useMutation({
    mutationFn: (body: LoginRequest) => unwrap(api.POST('/api/v1/auth/login', { body })),
    onSuccess: storeSession,
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    // Leave the signed-in pages first, then drop cached data, so nothing refetches as "me".
    onSettled: async () => {
      await navigate('/login', { replace: true });
      queryClient.clear();
    },
  });
}

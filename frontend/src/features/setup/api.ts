// Setup API hook: creates the first admin with the one-time setup token and signs them in.
import { useMutation } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import type { SetupRequest } from '@/api/types';
import { useStoreSession } from '@/lib/auth';

export function useSetup() {
  const storeSession = useStoreSession();
  return useMutation({
    mutationFn: (body: SetupRequest) => unwrap(api.POST('/v1/setup', { body })),
    onSuccess: storeSession,
  });
}

// Repositories API hooks: list, create, update (write-only credentials), delete.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import type { CreateRepositoryRequest, UpdateRepositoryRequest } from '@/api/types';

/** Shared prefix: the hosts feature reads the same list under it, so changes refresh both. */
const reposKey = ['repositories'] as const;

export function useRepositories() {
  return useQuery({
    queryKey: [...reposKey, 'list'],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/repositories', { signal })),
  });
}

function useInvalidateRepos() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: reposKey });
}

export function useCreateRepository() {
  const invalidate = useInvalidateRepos();
  return useMutation({
    mutationFn: (body: CreateRepositoryRequest) => unwrap(api.POST('/v1/repositories', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateRepository() {
  const invalidate = useInvalidateRepos();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateRepositoryRequest }) =>
      unwrap(api.PATCH('/v1/repositories/{id}', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}

export function useDeleteRepository() {
  const invalidate = useInvalidateRepos();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/repositories/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

// Users API hooks: list/search by username, a page at a time by cursor ("Load more"), create,
// edit, enable/disable, reset password, delete.
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { FIRST_PAGE, nextCursor, pageParams } from '@/api/paging';
import { keys } from '@/api/queryKeys';
import type { CreateUserRequest, Role, UpdateUserRequest } from '@/api/types';

export const USERS_PAGE_SIZE = 20;

export interface UserFilters {
  q: string;
  role: Role | null;
  disabled: boolean | null;
}

/** The users, by username: the pages loaded so far (the first page also asks for the count). */
export function useUsers(filters: UserFilters) {
  return useInfiniteQuery({
    queryKey: keys.users.list(filters),
    initialPageParam: FIRST_PAGE,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/v1/users', {
          signal,
          params: {
            query: {
              q: filters.q.trim() || undefined,
              role: filters.role ?? undefined,
              disabled: filters.disabled ?? undefined,
              limit: USERS_PAGE_SIZE,
              ...pageParams(pageParam),
            },
          },
        }),
      ),
    getNextPageParam: nextCursor,
    placeholderData: keepPreviousData,
  });
}

function useInvalidateUsers() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: keys.users.all });
}

export function useCreateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (body: CreateUserRequest) => unwrap(api.POST('/v1/users', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateUserRequest }) =>
      unwrap(api.PATCH('/v1/users/{id}', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}

export function useDeleteUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/users/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export function useResetUserPassword() {
  return useMutation({
    mutationFn: ({ id, password }: { id: string; password: string }) =>
      unwrap(api.POST('/v1/users/{id}/password', { params: { path: { id } }, body: { new_password: password } })),
  });
}

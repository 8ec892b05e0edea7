// Test helpers: a fake network (the injected `fetch`), API fixtures built on the generated
// types, and a render wrapper with the real providers and a memory router.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import type { Me, Permission, Role, ServerInfo, User } from '@/api/types';
import { infoKey, meKey } from '@/lib/auth';
import { theme } from '@/app/theme';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export type Handler = (request: Request) => Response | Promise<Response>;

/** A scripted server: `'METHOD /path'` → handler. Every request is recorded, unmatched ones get 404. */
export function fakeServer(routes: Record<string, Handler>) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    requests.push(request.clone());
    const { pathname } = new URL(request.url);
    const handler = routes[`${request.method} ${pathname}`];
    if (!handler) return json(404, { code: 'test.no_route', message: `no fake route for ${request.method} ${pathname}`, details: null });
    return handler(request);
  };
  const calls = (method: string, path: string) =>
    requests.filter((r) => r.method === method && new URL(r.url).pathname === path);
  return { fetch, requests, calls };
}

const permissionsByRole: Record<Role, Permission[]> = {
  admin: ['profile', 'users_read', 'users_manage', 'audit_read'],
  operator: ['profile', 'users_read'],
  viewer: ['profile'],
};

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    username: 'ada',
    display_name: 'Ada Admin',
    role: 'admin',
    disabled: false,
    created_at: '2025-01-01T10:00:00Z',
    updated_at: '2025-01-01T10:00:00Z',
    ...overrides,
  };
}

export function makeMe(role: Role = 'admin', user: Partial<User> = {}): Me {
  return { user: makeUser({ role, ...user }), auth_method: 'session', role, permissions: permissionsByRole[role] };
}

export const readyInfo: ServerInfo = { version: '0.1.0-test', setup_required: false, local_login_enabled: true };

export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
}

interface Options {
  route?: string;
  me?: Me;
  info?: ServerInfo;
  routes?: RouteObject[];
}

/** Render inside the app's providers. Either one element at `route`, or a full route table. */
export function renderWithProviders(ui: ReactElement | null, options: Options = {}) {
  const queryClient = testQueryClient();
  if (options.me) queryClient.setQueryData(meKey, options.me);
  if (options.info) queryClient.setQueryData(infoKey, options.info);
  const router = createMemoryRouter(options.routes ?? [{ path: '*', element: ui }], {
    initialEntries: [options.route ?? '/'],
  });
  const result = render(
    <MantineProvider theme={theme} env="test">
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>,
  );
  return { ...result, router, queryClient };
}

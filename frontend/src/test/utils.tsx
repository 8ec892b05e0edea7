// Test helpers: a fake network (the injected `fetch`), API fixtures built on the generated
// types, and a render wrapper with the real providers (notifications included) and a memory router.
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import type { Host, HostRoleBinding, Me, PendingHost, Permission, Repository, Role, ServerInfo, User } from '@/api/types';
import { keys } from '@/api/queryKeys';
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
    if (!handler) return json(404, { code: 'test.no_route', message: `no fake route for ${request.method} ${pathname}`, details: {} });
    return handler(request);
  };
  const calls = (method: string, path: string) =>
    requests.filter((r) => r.method === method && new URL(r.url).pathname === path);
  return { fetch, requests, calls };
}

/** What a cursor-paged list endpoint answers (HostList, JobList, UserList, SnapshotList). */
export interface ListAnswer<T> {
  items: T[];
  next_cursor?: string;
  total?: number;
  total_capped?: boolean;
}

/** The server's count cap (domain/page.rs): past it, `total` stays here and `total_capped` is true. */
export const TOTAL_CAP = 10_000;

/**
 * A cursor-paged list endpoint as the server answers it: `limit` rows (default 50) from the
 * `cursor` on, `next_cursor` when more rows follow (absent on the last page), and `total` +
 * `total_capped` only when the request asked `with_total=true`. The cursor is opaque to the app;
 * here it is `after-<n>`. `total` pretends more rows match than `items` holds (a capped count).
 */
export function cursorList<T>(items: T[], options: { total?: number } = {}): Handler {
  return (request) => {
    const query = new URL(request.url).searchParams;
    const limit = Number(query.get('limit') ?? 50);
    const cursor = query.get('cursor');
    const from = cursor ? Number(cursor.replace('after-', '')) : 0;
    const answer: ListAnswer<T> = { items: items.slice(from, from + limit) };
    if (from + limit < items.length) answer.next_cursor = `after-${from + limit}`;
    if (query.get('with_total') === 'true') {
      const total = options.total ?? items.length;
      answer.total = Math.min(total, TOTAL_CAP);
      answer.total_capped = total > TOTAL_CAP;
    }
    return json(200, answer);
  };
}

/** The server's role → permission table (auth/permission.rs). */
export const permissionsByRole: Record<Role, Permission[]> = {
  admin: [
    'profile',
    'hosts_read',
    'snapshots_read',
    'snapshots_download',
    'repos_read',
    'hosts_manage',
    'hosts_delete',
    'jobs_run',
    'backups_run',
    'restores_run',
    'schedules_manage',
    'schedules_hooks',
    'repos_maintain',
    'restores_anywhere',
    'hosts_approve',
    'repos_manage',
    'users_read',
    'users_manage',
    'audit_read',
    'alerts_read',
    'alerts_manage',
    'alerts_configure',
  ],
  operator: [
    'profile',
    'hosts_read',
    'snapshots_read',
    'snapshots_download',
    'repos_read',
    'hosts_manage',
    'jobs_run',
    'backups_run',
    'restores_run',
    'schedules_manage',
    'repos_maintain',
    'alerts_read',
    'alerts_manage',
  ],
  viewer: ['profile', 'hosts_read', 'snapshots_read', 'repos_read', 'alerts_read'],
  none: ['profile'],
};

/** What a role and host-scoped bindings give anywhere (the server's `permissions_anywhere`). */
export function permissionsAnywhere(role: Role, bindings: readonly HostRoleBinding[]): Permission[] {
  const out = [...permissionsByRole[role]];
  for (const b of bindings) for (const p of permissionsByRole[b.role]) if (!out.includes(p)) out.push(p);
  return out;
}

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    username: 'ada',
    display_name: 'Ada Admin',
    role: 'admin',
    bindings: [],
    disabled: false,
    created_at: '2025-01-01T10:00:00Z',
    updated_at: '2025-01-01T10:00:00Z',
    ...overrides,
  };
}

/** A signed-in user; `user.bindings` (host roles) also land in `bindings` and `host_permissions`. */
export function makeMe(role: Role = 'admin', user: Partial<User> = {}): Me {
  const bindings = user.bindings ?? [];
  return {
    user: makeUser({ role, ...user }),
    auth_method: 'session',
    role,
    permissions: permissionsByRole[role],
    bindings,
    host_permissions: permissionsAnywhere(role, bindings),
  };
}

/** The permissions of `Access::OnHosts` operations (auth/permission.rs): all a host can list. */
const HOST_LEVEL: Permission[] = [
  'alerts_manage',
  'alerts_read',
  'backups_run',
  'hosts_manage',
  'hosts_read',
  'jobs_run',
  'repos_read',
  'restores_run',
  'schedules_manage',
  'snapshots_download',
  'snapshots_read',
];

/** The host-level permissions of a role (what `Host.my_permissions` holds for it). */
export function hostPermissionsOf(role: Role): Permission[] {
  return permissionsByRole[role].filter((p) => HOST_LEVEL.includes(p));
}

/** The host as the server answers it to `me`: `my_permissions` from the role and the host roles whose tags it carries. */
export function hostSeenBy(me: Me, host: Host): Host {
  const out = hostPermissionsOf(me.role);
  for (const b of me.bindings)
    if (b.tags.some((t) => host.tags.includes(t))) for (const p of hostPermissionsOf(b.role)) if (!out.includes(p)) out.push(p);
  return { ...host, my_permissions: out };
}

export function makeHost(overrides: Partial<Host> = {}): Host {
  return {
    my_permissions: hostPermissionsOf('admin'),
    id: '10000000-0000-4000-8000-000000000001',
    hostname: 'web-01',
    os: 'linux',
    arch: 'x86_64',
    agent_version: '0.1.0',
    agent_outdated: false,
    restic_version: '0.14.0',
    fingerprint: 'SHA256:q1w2e3r4t5y6u7i8o9p0AbCdEfGhIjKlMnOpQrStUvW',
    tags: [],
    status: 'online',
    last_seen_at: '2025-03-01T10:00:00Z',
    last_ip: '192.0.2.10',
    enrolled_via: 'token',
    created_at: '2025-03-01T09:00:00Z',
    repository_ids: [],
    config_version: 1,
    applied_config_version: 1,
    ...overrides,
  };
}

export function makePendingHost(overrides: Partial<PendingHost> = {}): PendingHost {
  return {
    id: '20000000-0000-4000-8000-000000000001',
    hostname: 'db-02',
    os: 'linux',
    arch: 'aarch64',
    agent_version: '0.1.0',
    fingerprint: 'SHA256:ZZtop9876543210abcdefghijklmnopqrstuvwxyzAB',
    source_ip: '198.51.100.7',
    created_at: new Date(Date.now() - 60_000).toISOString(),
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    duplicate_hostname: false,
    ...overrides,
  };
}

export function makeRepository(overrides: Partial<Repository> = {}): Repository {
  return {
    id: '30000000-0000-4000-8000-000000000001',
    name: 'office-nas',
    url: 'sftp:backup@nas:/srv/restic',
    has_password: true,
    env_keys: [],
    guard: { max_delete_percent: 50, min_keep: 1 },
    created_at: '2025-02-01T09:00:00Z',
    updated_at: '2025-02-01T09:00:00Z',
    ...overrides,
  };
}

export const readyInfo: ServerInfo = { version: '0.1.0-test', setup_required: false, local_login_enabled: true, break_glass_login: false, sso_providers: [] };

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
  if (options.me) queryClient.setQueryData(keys.me, options.me);
  if (options.info) queryClient.setQueryData(keys.info, options.info);
  const router = createMemoryRouter(options.routes ?? [{ path: '*', element: ui }], {
    initialEntries: [options.route ?? '/'],
  });
  const result = render(
    <MantineProvider theme={theme} env="test">
      <Notifications />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>,
  );
  return { ...result, router, queryClient };
}

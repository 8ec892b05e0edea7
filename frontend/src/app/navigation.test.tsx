// Permission gating through the real route table: the nav shows only what the role may use,
// and a page the role may not see renders the no-access state instead of calling the API.
import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { cursorList, fakeServer, json, makeMe, makeUser, permissionsByRole, readyInfo, renderWithProviders } from '@/test/utils';
import { visibleNavItems } from './layout/navItems';
import { routes } from './router';

function serverFor(me: ReturnType<typeof makeMe>) {
  return fakeServer({
    'GET /api/v1/info': () => json(200, readyInfo),
    'GET /api/v1/auth/me': () => json(200, me),
    'GET /api/v1/users': cursorList([makeUser(), makeUser({ id: 'u2', username: 'olga', role: 'operator' })]),
  });
}

function navLinks() {
  const nav = screen.getByRole('navigation', { name: 'Main' });
  return within(nav)
    .getAllByRole('link')
    .map((a) => a.textContent);
}

describe('navigation gating', () => {
  it('filters nav items by permission', () => {
    expect(visibleNavItems(['profile']).map((i) => i.label)).toEqual(['Home', 'Profile']);
    expect(visibleNavItems(['profile', 'users_read', 'users_manage', 'audit_read']).map((i) => i.label)).toEqual([
      'Home',
      'Users',
      'Audit log',
      'Profile',
    ]);
    expect(visibleNavItems(permissionsByRole.viewer).map((i) => i.label)).toEqual(['Home', 'Hosts', 'Jobs', 'Repositories', 'Profile']);
  });

  it('a viewer sees no Users or Audit entries, and /users shows no access without calling the API', async () => {
    const me = makeMe('viewer', { username: 'vic' });
    const server = serverFor(me);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/users', me, info: readyInfo });
    expect(await screen.findByText("You don't have access")).toBeInTheDocument();
    expect(navLinks()).toEqual(['Home', 'Hosts', 'Jobs', 'Repositories', 'Profile']);
    expect(server.calls('GET', '/api/v1/users')).toHaveLength(0);
  });

  it('an admin sees every entry and the users table', async () => {
    const me = makeMe('admin');
    const server = serverFor(me);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/users', me, info: readyInfo });
    expect(await screen.findByTestId('user-row-olga')).toBeInTheDocument();
    expect(navLinks()).toEqual(['Home', 'Hosts', 'Jobs', 'Repositories', 'Users', 'Audit log', 'Profile']);
    expect(screen.getByRole('button', { name: 'New user' })).toBeInTheDocument();
  });

  it('a role that can read users but not manage them gets no management actions', async () => {
    // Not a built-in role today (operators cannot read users); the gate is per permission.
    const base = makeMe('operator', { id: 'u9', username: 'otto' });
    const me = { ...base, permissions: [...base.permissions, 'users_read' as const] };
    const server = serverFor(me);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/users', me, info: readyInfo });
    expect(await screen.findByTestId('user-row-olga')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New user' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Actions for/ })).not.toBeInTheDocument();
    expect(navLinks()).toEqual(['Home', 'Hosts', 'Jobs', 'Repositories', 'Users', 'Profile']);
  });

  it('an operator (built-in role) cannot open /users', async () => {
    const me = makeMe('operator', { id: 'u9', username: 'otto' });
    const server = serverFor(me);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/users', me, info: readyInfo });
    expect(await screen.findByText("You don't have access")).toBeInTheDocument();
    expect(navLinks()).toEqual(['Home', 'Hosts', 'Jobs', 'Repositories', 'Profile']);
    expect(server.calls('GET', '/api/v1/users')).toHaveLength(0);
  });

  it('sends a signed-out visitor to /login with the page as next', async () => {
    const server = fakeServer({
      'GET /api/v1/info': () => json(200, readyInfo),
      'GET /api/v1/auth/me': () => json(401, { code: 'auth.unauthenticated', message: 'Sign in first', details: {} }),
      'POST /api/v1/auth/refresh': () => json(401, { code: 'auth.unauthenticated', message: 'No session', details: {} }),
    });
    vi.stubGlobal('fetch', server.fetch);
    const { router } = renderWithProviders(null, { routes, route: '/audit?outcome=denied', info: readyInfo });
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');
    expect(new URLSearchParams(router.state.location.search).get('next')).toBe('/audit?outcome=denied');
  });

  it('sends every page to /setup while the server needs its first admin', async () => {
    const server = fakeServer({ 'GET /api/v1/info': () => json(200, { ...readyInfo, setup_required: true }) });
    vi.stubGlobal('fetch', server.fetch);
    const { router } = renderWithProviders(null, { routes, route: '/users' });
    expect(await screen.findByLabelText('Setup token')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/setup');
  });
});

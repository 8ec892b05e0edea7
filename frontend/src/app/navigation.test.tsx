// Permission gating through the real route table: the nav shows only what the role may use,
// and a page the role may not see renders the no-access state instead of calling the API.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { cursorList, fakeServer, json, makeHost, makeMe, makeUser, permissionsByRole, readyInfo, renderWithProviders } from '@/test/utils';
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
    expect(visibleNavItems(permissionsByRole.viewer).map((i) => i.label)).toEqual(['Home', 'Hosts', 'Jobs', 'Alerts', 'Repositories', 'Profile']);
    // Without alerts_read there is no Alerts entry (and so no badge, nor its polling).
    expect(visibleNavItems(['profile', 'hosts_read']).map((i) => i.label)).toEqual(['Home', 'Hosts', 'Jobs', 'Profile']);
  });

  it('a viewer sees no Users or Audit entries, and /users shows no access without calling the API', async () => {
    const me = makeMe('viewer', { username: 'vic' });
    const server = serverFor(me);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/users', me, info: readyInfo });
    expect(await screen.findByText("You don't have access")).toBeInTheDocument();
    expect(navLinks()).toEqual(['Home', 'Hosts', 'Jobs', 'Alerts', 'Repositories', 'Profile']);
    expect(server.calls('GET', '/api/v1/users')).toHaveLength(0);
  });

  it('a user with host roles only sees the fleet entries, not Users or Audit, and may open the hosts page', async () => {
    // No role over all hosts; operator on the hosts tagged "web": the server lists only those.
    const me = makeMe('none', { username: 'hana', bindings: [{ role: 'operator', tags: ['web'] }] });
    expect(me.permissions).toEqual(['profile']);
    const server = fakeServer({
      'GET /api/v1/info': () => json(200, readyInfo),
      'GET /api/v1/auth/me': () => json(200, me),
      'GET /api/v1/hosts': cursorList([makeHost({ tags: ['web'] })]),
    });
    vi.stubGlobal('fetch', server.fetch);
    const { router } = renderWithProviders(null, { routes, route: '/hosts', me, info: readyInfo });
    expect(await screen.findByText('web-01')).toBeInTheDocument();
    expect(navLinks()).toEqual(['Home', 'Hosts', 'Jobs', 'Alerts', 'Repositories', 'Profile']);
    // Pending agents and enrollment need hosts_read/hosts_manage over all hosts.
    expect(server.calls('GET', '/api/v1/pending-hosts')).toHaveLength(0);
    expect(screen.queryByRole('button', { name: 'Add host' })).not.toBeInTheDocument();
    await router.navigate('/audit');
    expect(await screen.findByText("You don't have access")).toBeInTheDocument();
  });

  it('an admin sees every entry and the users table', async () => {
    const me = makeMe('admin');
    const server = serverFor(me);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/users', me, info: readyInfo });
    expect(await screen.findByTestId('user-row-olga')).toBeInTheDocument();
    expect(navLinks()).toEqual(['Home', 'Hosts', 'Jobs', 'Alerts', 'Repositories', 'Users', 'Audit log', 'Profile']);
    expect(screen.getByRole('button', { name: 'New user' })).toBeInTheDocument();
  });

  it('a role that can read users but not manage them gets no management actions', async () => {
    // Not a built-in role today (operators cannot read users); the gate is per permission.
    const base = makeMe('operator', { id: 'u9', username: 'otto' });
    const me = { ...base, permissions: [...base.permissions, 'users_read' as const], host_permissions: [...base.host_permissions, 'users_read' as const] };
    const server = serverFor(me);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/users', me, info: readyInfo });
    expect(await screen.findByTestId('user-row-olga')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New user' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Actions for/ })).not.toBeInTheDocument();
    expect(navLinks()).toEqual(['Home', 'Hosts', 'Jobs', 'Alerts', 'Repositories', 'Users', 'Profile']);
  });

  it('an operator (built-in role) cannot open /users', async () => {
    const me = makeMe('operator', { id: 'u9', username: 'otto' });
    const server = serverFor(me);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/users', me, info: readyInfo });
    expect(await screen.findByText("You don't have access")).toBeInTheDocument();
    expect(navLinks()).toEqual(['Home', 'Hosts', 'Jobs', 'Alerts', 'Repositories', 'Profile']);
    expect(server.calls('GET', '/api/v1/users')).toHaveLength(0);
  });

  it('shows the open alerts count beside Alerts, and nothing when none are open', async () => {
    let open = 3;
    const me = makeMe('viewer');
    const server = fakeServer({
      'GET /api/v1/info': () => json(200, readyInfo),
      'GET /api/v1/auth/me': () => json(200, me),
      'GET /api/v1/alerts/summary': () => json(200, { open, acknowledged: 2, info: 0, warning: 1, error: 3, critical: 1 }),
    });
    vi.stubGlobal('fetch', server.fetch);
    const { queryClient } = renderWithProviders(null, { routes, route: '/profile', me, info: readyInfo });
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    const badge = await within(nav).findByTestId('alerts-badge');
    expect(badge).toHaveTextContent('3');
    expect(within(nav).getByRole('link', { name: /Alerts/ })).toContainElement(badge);
    open = 0;
    await queryClient.invalidateQueries({ queryKey: ['alerts', 'summary'] });
    await waitFor(() => expect(within(nav).queryByTestId('alerts-badge')).not.toBeInTheDocument());
  });

  it('reads no alert counts for a role without alerts_read', async () => {
    const base = makeMe('viewer');
    const me = {
      ...base,
      permissions: base.permissions.filter((p) => p !== 'alerts_read'),
      host_permissions: base.host_permissions.filter((p) => p !== 'alerts_read'),
    };
    const server = serverFor(me);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/profile', me, info: readyInfo });
    await screen.findByRole('navigation', { name: 'Main' });
    expect(navLinks()).toEqual(['Home', 'Hosts', 'Jobs', 'Repositories', 'Profile']);
    expect(server.calls('GET', '/api/v1/alerts/summary')).toHaveLength(0);
  });

  it('opens the alert rules at /alerts/rules, not an alert with the id "rules"', async () => {
    const me = makeMe('admin');
    const server = fakeServer({
      'GET /api/v1/info': () => json(200, readyInfo),
      'GET /api/v1/auth/me': () => json(200, me),
      'GET /api/v1/alert-rules': () => json(200, []),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/alerts/rules', me, info: readyInfo });
    expect(await screen.findByRole('heading', { name: 'Alert rules' })).toBeInTheDocument();
    await waitFor(() => expect(server.calls('GET', '/api/v1/alert-rules')).toHaveLength(1));
    expect(server.requests.some((r) => new URL(r.url).pathname === '/api/v1/alerts/rules')).toBe(false);
  });

  it('opens the single sign-on settings at /users/sso for admins only', async () => {
    const admin = makeMe('admin');
    const server = fakeServer({
      'GET /api/v1/info': () => json(200, readyInfo),
      'GET /api/v1/auth/me': () => json(200, admin),
      'GET /api/v1/sso-providers': () => json(200, []),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { routes, route: '/users/sso', me: admin, info: readyInfo });
    expect(await screen.findByRole('heading', { name: 'Single sign-on' })).toBeInTheDocument();
    await waitFor(() => expect(server.calls('GET', '/api/v1/sso-providers')).toHaveLength(1));
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Users' })).toHaveAttribute('data-active', 'true');
  });

  it('a role that reads users but cannot manage them has no single sign-on page nor its button', async () => {
    const base = makeMe('operator', { id: 'u9', username: 'otto' });
    const me = { ...base, permissions: [...base.permissions, 'users_read' as const], host_permissions: [...base.host_permissions, 'users_read' as const] };
    const server = serverFor(me);
    vi.stubGlobal('fetch', server.fetch);
    const { router } = renderWithProviders(null, { routes, route: '/users', me, info: readyInfo });
    expect(await screen.findByTestId('user-row-olga')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Single sign-on' })).not.toBeInTheDocument();
    await router.navigate('/users/sso');
    expect(await screen.findByText("You don't have access")).toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/sso-providers')).toHaveLength(0);
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

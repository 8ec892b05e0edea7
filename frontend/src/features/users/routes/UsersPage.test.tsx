// The users list read a page at a time against a scripted server: "Load more" sends the cursor
// and appends, the count comes from the first page ("10,000+" when capped), the filters live in
// the URL and a change starts again from the first page.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { User } from '@/api/types';
import { cursorList, fakeServer, makeMe, makeUser, renderWithProviders } from '@/test/utils';
import { UsersPage } from './UsersPage';

/** `n` users, by username (the first is the signed-in admin). */
function people(n: number): User[] {
  return Array.from({ length: n }, (_, i) =>
    i === 0 ? makeUser() : makeUser({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, username: `user-${String(i).padStart(3, '0')}` }),
  );
}

function setup(route: string, users: User[], options: { total?: number } = {}) {
  const server = fakeServer({ 'GET /api/v1/users': cursorList(users, options) });
  vi.stubGlobal('fetch', server.fetch);
  const rendered = renderWithProviders(null, { me: makeMe('admin'), route, routes: [{ path: '/users', element: <UsersPage /> }] });
  const lastQuery = () => new URL(server.calls('GET', '/api/v1/users').at(-1)?.url ?? 'http://x/').searchParams;
  return { server, lastQuery, user: userEvent.setup(), ...rendered };
}

const rows = () => screen.getAllByTestId(/^user-row-/);

describe('UsersPage', () => {
  it('"Load more" asks for the next page with the cursor and appends it', async () => {
    const { lastQuery, user } = setup('/users', people(45));
    await screen.findByTestId('user-row-ada');
    expect(rows()).toHaveLength(20);
    expect(lastQuery().get('with_total')).toBe('true');
    expect(lastQuery().has('cursor')).toBe(false);
    expect(screen.getByTestId('users-count')).toHaveTextContent('45 users');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rows()).toHaveLength(40));
    expect(lastQuery().get('cursor')).toBe('after-20');
    expect(lastQuery().has('with_total')).toBe(false);
    expect(rows()[20]).toHaveAttribute('data-testid', 'user-row-user-020');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rows()).toHaveLength(45));
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('shows a count the server stopped at as "10,000+ users"', async () => {
    setup('/users', people(21), { total: 10_001 });
    expect(await screen.findByTestId('users-count')).toHaveTextContent(`${(10_000).toLocaleString()}+ users`);
  });

  it('reads its filters from the URL and writes a change there, from the first page', async () => {
    const { lastQuery, router, user } = setup('/users?q=ad&status=active', people(30));
    await waitFor(() => expect(lastQuery().get('q')).toBe('ad'));
    expect(lastQuery().get('disabled')).toBe('false');
    expect(screen.getByRole('textbox', { name: 'Search users' })).toHaveValue('ad');
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(lastQuery().get('cursor')).toBe('after-20'));
    await user.click(screen.getByRole('combobox', { name: 'Filter by role' }));
    await user.click(await screen.findByRole('option', { name: 'Operator' }));
    await waitFor(() => expect(lastQuery().get('role')).toBe('operator'));
    expect(lastQuery().has('cursor')).toBe(false);
    expect(lastQuery().get('with_total')).toBe('true');
    const params = new URLSearchParams(router.state.location.search);
    expect(params.get('role')).toBe('operator');
    expect(params.get('q')).toBe('ad');
    expect(params.get('status')).toBe('active');
  });

  it('says when the admin is the only user', async () => {
    setup('/users', people(1));
    expect(await screen.findByText('You are the only user')).toBeInTheDocument();
    expect(screen.getByTestId('users-count')).toHaveTextContent('1 user');
  });

  it('marks users who sign in through single sign-on with an SSO badge', async () => {
    const olga = makeUser({ id: 'u2', username: 'olga', sso_provider_id: '90000000-0000-4000-8000-000000000001', sso_subject: 'f3a9' });
    setup('/users', [makeUser(), olga]);
    const row = await screen.findByTestId('user-row-olga');
    const badge = within(row).getByTestId('user-sso-badge');
    expect(badge).toHaveTextContent('SSO');
    await userEvent.setup().hover(badge);
    expect(await screen.findByText('Signs in through single sign-on')).toBeInTheDocument();
    expect(within(screen.getByTestId('user-row-ada')).queryByTestId('user-sso-badge')).not.toBeInTheDocument();
  });

  it('links admins to the single sign-on settings', async () => {
    setup('/users', people(2));
    expect(await screen.findByRole('link', { name: 'Single sign-on' })).toHaveAttribute('href', '/users/sso');
  });

  it("shows each user's host roles in their row, and `none` readably", async () => {
    setup('/users', [makeUser(), makeUser({ id: 'u-hana', username: 'hana', role: 'none', bindings: [{ role: 'operator', tags: ['web', 'eu'] }] })]);
    const row = await screen.findByTestId('user-row-hana');
    expect(within(row).getByTestId('user-bindings')).toHaveTextContent('operator · web, eu');
    expect(row).toHaveTextContent('Host roles only');
    expect(within(screen.getByTestId('user-row-ada')).queryByTestId('user-bindings')).not.toBeInTheDocument();
  });
});

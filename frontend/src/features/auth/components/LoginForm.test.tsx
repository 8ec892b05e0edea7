// LoginForm against a scripted server: client validation, the server's own message on
// failure, the rate-limit countdown from Retry-After, and the success callback.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, json, makeMe, renderWithProviders } from '@/test/utils';
import { LoginForm } from './LoginForm';

async function fillAndSubmit(username: string, password: string) {
  const user = userEvent.setup();
  if (username) await user.type(screen.getByLabelText('Username'), username);
  if (password) await user.type(screen.getByLabelText('Password'), password);
  await user.keyboard('{Enter}');
}

describe('LoginForm', () => {
  it('asks for the missing fields and sends nothing', async () => {
    const server = fakeServer({});
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<LoginForm onSuccess={vi.fn()} />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Username is required')).toBeInTheDocument();
    expect(screen.getByText('Password is required')).toBeInTheDocument();
    expect(server.requests).toHaveLength(0);
  });

  it("shows the server's message when the credentials are wrong", async () => {
    const server = fakeServer({
      'POST /api/v1/auth/login': () =>
        json(401, { code: 'auth.invalid_credentials', message: 'Invalid username or password.', details: {} }),
    });
    vi.stubGlobal('fetch', server.fetch);
    const onSuccess = vi.fn();
    renderWithProviders(<LoginForm onSuccess={onSuccess} />);
    await fillAndSubmit('ada', 'wrong-password');
    expect(await screen.findByTestId('login-error')).toHaveTextContent('Invalid username or password.');
    expect(onSuccess).not.toHaveBeenCalled();
    const sent = (await server.calls('POST', '/api/v1/auth/login')[0]?.json()) as { username: string; password: string };
    expect(sent).toEqual({ username: 'ada', password: 'wrong-password' });
  });

  it('tells how many seconds to wait when rate-limited', async () => {
    const server = fakeServer({
      'POST /api/v1/auth/login': () =>
        json(429, { code: 'auth.rate_limited', message: 'Too many login attempts', details: {} }, { 'Retry-After': '37' }),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<LoginForm onSuccess={vi.fn()} />);
    await fillAndSubmit('ada', 'whatever-password');
    expect(await screen.findByTestId('login-error')).toHaveTextContent('Too many attempts, try again in 37 s');
  });

  it('hands the returned Me to onSuccess', async () => {
    const me = makeMe('operator', { username: 'olga' });
    const server = fakeServer({ 'POST /api/v1/auth/login': () => json(200, me) });
    vi.stubGlobal('fetch', server.fetch);
    const onSuccess = vi.fn();
    renderWithProviders(<LoginForm onSuccess={onSuccess} />);
    await fillAndSubmit('olga', 'correct horse battery');
    await waitFor(() => expect(onSuccess).toHaveBeenCalledTimes(1));
    expect((onSuccess.mock.calls[0] as unknown[])[0]).toEqual(me);
  });
});

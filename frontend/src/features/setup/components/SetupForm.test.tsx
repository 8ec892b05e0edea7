// SetupForm: password rules block the request; a valid form sends exactly the setup body.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, json, makeMe, renderWithProviders } from '@/test/utils';
import { SetupForm } from './SetupForm';

async function fill(values: { token?: string; username?: string; password?: string; confirm?: string }) {
  const user = userEvent.setup();
  if (values.token) await user.type(screen.getByLabelText('Setup token'), values.token);
  if (values.username) await user.type(screen.getByLabelText('Username'), values.username);
  if (values.password) await user.type(screen.getByLabelText('Password'), values.password);
  if (values.confirm) await user.type(screen.getByLabelText('Confirm password'), values.confirm);
  await user.click(screen.getByRole('button', { name: /create administrator/i }));
}

describe('SetupForm', () => {
  it('blocks submit when the passwords do not match', async () => {
    const server = fakeServer({ 'POST /api/v1/setup': () => json(201, makeMe()) });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<SetupForm onSuccess={vi.fn()} />);
    await fill({ token: 'tok', username: 'root', password: 'long enough password', confirm: 'long enough passw0rd' });
    expect(await screen.findByText('Passwords do not match')).toBeInTheDocument();
    expect(server.requests).toHaveLength(0);
  });

  it('blocks submit when the password is shorter than 12 characters', async () => {
    const server = fakeServer({ 'POST /api/v1/setup': () => json(201, makeMe()) });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<SetupForm onSuccess={vi.fn()} />);
    await fill({ token: 'tok', username: 'root', password: 'short11char', confirm: 'short11char' });
    expect(await screen.findByText('Password must be at least 12 characters')).toBeInTheDocument();
    expect(server.requests).toHaveLength(0);
  });

  it('sends the setup request and shows a rejected token message from the server', async () => {
    const server = fakeServer({
      'POST /api/v1/setup': () => json(403, { code: 'setup.invalid_token', message: 'The setup token is not valid.', details: {} }),
    });
    vi.stubGlobal('fetch', server.fetch);
    const onSuccess = vi.fn();
    renderWithProviders(<SetupForm onSuccess={onSuccess} />);
    await fill({ token: ' tok-123 ', username: 'root', password: 'twelve chars!', confirm: 'twelve chars!' });
    expect(await screen.findByRole('alert')).toHaveTextContent('The setup token is not valid.');
    const body = (await server.calls('POST', '/api/v1/setup')[0]?.json()) as Record<string, unknown>;
    expect(body).toEqual({ token: 'tok-123', username: 'root', password: 'twelve chars!' });
    await waitFor(() => expect(onSuccess).not.toHaveBeenCalled());
  });
});

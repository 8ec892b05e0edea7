// Changing your password against a scripted server: a wrong current password and a field the
// server's edge refuses both land on their input, not above the form.
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, json, makeMe, renderWithProviders, type Handler } from '@/test/utils';
import { ChangePasswordForm } from './ChangePasswordForm';

const NEXT = 'a much longer passphrase';

async function submit(answer: Handler) {
  const server = fakeServer({ 'POST /api/v1/auth/me/password': answer });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<ChangePasswordForm />, { me: makeMe('viewer') });
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Current password'), 'old password!');
  await user.type(screen.getByLabelText('New password'), NEXT);
  await user.type(screen.getByLabelText('Confirm new password'), NEXT);
  await user.click(screen.getByRole('button', { name: 'Change password' }));
  return server;
}

describe('ChangePasswordForm', () => {
  it('puts a wrong current password on its input', async () => {
    await submit(() =>
      json(400, { code: 'auth.wrong_password', message: 'The current password is not correct.', details: { field: 'current_password' } }),
    );
    expect(await screen.findByText('The current password is not correct.')).toBeInTheDocument();
    expect(screen.getByLabelText('Current password')).toHaveAttribute('data-invalid', 'true');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('puts an edge-validation refusal of new_password on the new password', async () => {
    const message = '`new_password` must be at least 12 characters long.';
    await submit(() => json(400, { code: 'request.invalid_body', message, details: { field: 'new_password', rule: 'minLength' } }));
    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(screen.getByLabelText('New password')).toHaveAttribute('data-invalid', 'true');
    expect(screen.getByLabelText('Current password')).not.toHaveAttribute('data-invalid');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

// The shared delete confirmation: the button stays disabled (and Enter does nothing) until the
// exact name is typed; then it calls back once, and shows the server's message on failure.
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/errors';
import { renderWithProviders } from '@/test/utils';
import { ConfirmDeleteForm } from './ConfirmDeleteForm';

function renderForm(props: { error?: unknown; pending?: boolean } = {}) {
  const onConfirm = vi.fn();
  const onCancel = vi.fn();
  renderWithProviders(
    <ConfirmDeleteForm
      name="web-01"
      confirmLabel="Delete host"
      onConfirm={onConfirm}
      onCancel={onCancel}
      pending={props.pending ?? false}
      error={props.error ?? null}
      errorTitle="Could not delete the host"
    >
      This removes <b>web-01</b>.
    </ConfirmDeleteForm>,
  );
  return { onConfirm, onCancel, user: userEvent.setup() };
}

describe('ConfirmDeleteForm', () => {
  it('enables the button only once the exact name is typed', async () => {
    const { onConfirm, user } = renderForm();
    const input = screen.getByLabelText('Type web-01 to confirm');
    const button = screen.getByRole('button', { name: 'Delete host' });
    expect(screen.getByText(/This removes/)).toBeInTheDocument();
    expect(button).toBeDisabled();

    await user.type(input, 'web-0');
    expect(button).toBeDisabled();
    await user.keyboard('{Enter}');
    expect(onConfirm).not.toHaveBeenCalled();

    await user.clear(input);
    await user.type(input, 'WEB-01');
    expect(button).toBeDisabled();

    await user.clear(input);
    await user.type(input, ' web-01 ');
    expect(button).toBeEnabled();
    await user.keyboard('{Enter}');
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it('cancels without confirming', async () => {
    const { onConfirm, onCancel, user } = renderForm();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it('shows the server’s message when deleting failed', () => {
    renderForm({ error: new ApiError(409, 'host.busy', 'A backup is running on web-01.') });
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Could not delete the host');
    expect(alert).toHaveTextContent('A backup is running on web-01.');
  });
});

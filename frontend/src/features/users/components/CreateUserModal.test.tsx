// "New user" against a scripted server: a refusal that names a field lands on that input,
// whether the server's edge refused the body (request.invalid_body) or its own rules did
// (user.username_taken); one naming no input of the form is shown above it.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, json, makeMe, makeUser, renderWithProviders, type Handler } from '@/test/utils';
import { CreateUserModal } from './CreateUserModal';

const PASSWORD = 'correct horse battery';

async function setup(answer: Handler) {
  const server = fakeServer({ 'POST /api/v1/users': answer });
  vi.stubGlobal('fetch', server.fetch);
  const onCreated = vi.fn();
  renderWithProviders(<CreateUserModal opened onClose={() => undefined} onCreated={onCreated} />, { me: makeMe('admin') });
  const dialog = screen.getByRole('dialog', { name: 'New user' });
  const user = userEvent.setup();
  await user.type(within(dialog).getByLabelText('Username'), 'grace');
  await user.type(within(dialog).getByLabelText('Initial password'), PASSWORD);
  await user.type(within(dialog).getByLabelText('Confirm password'), PASSWORD);
  await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
  return { server, dialog, onCreated };
}

describe('CreateUserModal', () => {
  it('sends the user and reports it created', async () => {
    const { server, onCreated } = await setup(() => json(201, makeUser({ username: 'grace', role: 'operator' })));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(await server.calls('POST', '/api/v1/users')[0]?.json()).toEqual({ username: 'grace', role: 'operator', bindings: [], password: PASSWORD });
  });

  it('puts an edge-validation refusal on the field it names', async () => {
    const message = '`username` must match the pattern ^[A-Za-z0-9][A-Za-z0-9._-]*$.';
    const { dialog, onCreated } = await setup(() =>
      json(400, { code: 'request.invalid_body', message, details: { field: 'username', rule: 'pattern' } }),
    );
    expect(await within(dialog).findByText(message)).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true');
    expect(within(dialog).getByLabelText('Initial password')).not.toHaveAttribute('data-invalid');
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    expect(onCreated).not.toHaveBeenCalled();
  });

  it('puts an edge-validation refusal of the password on the password', async () => {
    const message = '`password` must be at most 1024 characters long.';
    const { dialog } = await setup(() => json(400, { code: 'request.invalid_body', message, details: { field: 'password', rule: 'maxLength' } }));
    expect(await within(dialog).findByText(message)).toBeInTheDocument();
    // Mantine marks a password input with data-invalid (it sets no aria-invalid).
    expect(within(dialog).getByLabelText('Initial password')).toHaveAttribute('data-invalid', 'true');
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('still puts a taken username on the username', async () => {
    const { dialog } = await setup(() =>
      json(409, { code: 'user.username_taken', message: 'The username “grace” is taken.', details: {} }),
    );
    expect(await within(dialog).findByText('The username “grace” is taken.')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true');
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows a refusal naming no input above the form', async () => {
    const { dialog } = await setup(() =>
      json(400, { code: 'request.invalid_body', message: '`role` must be one of admin, operator, viewer.', details: { field: 'role' } }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('`role` must be one of admin, operator, viewer.');
    expect(within(dialog).getByLabelText('Username')).not.toHaveAttribute('aria-invalid', 'true');
  });
});

describe('CreateUserModal host roles', () => {
  async function fillUser(dialog: HTMLElement, user: ReturnType<typeof userEvent.setup>) {
    await user.type(within(dialog).getByLabelText('Username'), 'hana');
    await user.type(within(dialog).getByLabelText('Initial password'), PASSWORD);
    await user.type(within(dialog).getByLabelText('Confirm password'), PASSWORD);
  }

  function render(answer: Handler) {
    const server = fakeServer({ 'POST /api/v1/users': answer });
    vi.stubGlobal('fetch', server.fetch);
    const onCreated = vi.fn();
    renderWithProviders(<CreateUserModal opened onClose={() => undefined} onCreated={onCreated} />, { me: makeMe('admin') });
    return { server, onCreated, dialog: screen.getByRole('dialog', { name: 'New user' }) };
  }

  it('sends the host roles added in the editor, with no role over all hosts', async () => {
    const { server, dialog, onCreated } = render(() => json(201, makeUser({ username: 'hana', role: 'none' })));
    const user = userEvent.setup();
    await fillUser(dialog, user);
    await user.click(within(dialog).getByText('Host roles only'));
    await user.click(within(dialog).getByTestId('user-add-binding'));
    await user.selectOptions(within(dialog).getByTestId('user-binding-role-0'), 'operator');
    await user.type(within(dialog).getByTestId('user-binding-tags-0'), 'web,eu,');
    await user.click(within(dialog).getByTestId('user-add-binding'));
    await user.type(within(dialog).getByTestId('user-binding-tags-1'), 'db,');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(await server.calls('POST', '/api/v1/users')[0]?.json()).toEqual({
      username: 'hana',
      role: 'none',
      bindings: [
        { role: 'operator', tags: ['web', 'eu'] },
        { role: 'viewer', tags: ['db'] },
      ],
      password: PASSWORD,
    });
  });

  it('removes a row, and refuses a row without tags before sending', async () => {
    const { server, dialog } = render(() => json(201, makeUser()));
    const user = userEvent.setup();
    await fillUser(dialog, user);
    await user.click(within(dialog).getByTestId('user-add-binding'));
    await user.click(within(dialog).getByTestId('user-add-binding'));
    await user.click(within(dialog).getByTestId('user-binding-remove-1'));
    expect(within(dialog).queryByTestId('user-binding-tags-1')).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(await within(dialog).findByText('Add at least one tag')).toBeInTheDocument();
    expect(server.calls('POST', '/api/v1/users')).toHaveLength(0);
  });

  it('shows a user.invalid_binding refusal at the host roles editor', async () => {
    const message = 'A host role must be viewer or operator.';
    const { dialog, onCreated } = render(() => json(400, { code: 'user.invalid_binding', message, details: { field: 'bindings' } }));
    const user = userEvent.setup();
    await fillUser(dialog, user);
    await user.click(within(dialog).getByTestId('user-add-binding'));
    await user.type(within(dialog).getByTestId('user-binding-tags-0'), 'web,');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(await within(dialog).findByTestId('user-bindings-error')).toHaveTextContent(message);
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    expect(onCreated).not.toHaveBeenCalled();
  });
});

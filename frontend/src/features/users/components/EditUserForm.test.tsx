// Editing a user's host roles: the saved ones start in the editor, the whole list is sent
// (replacing the user's), a refusal shows at the editor, and an SSO user's note says their
// groups set them again at each sign-in.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { User } from '@/api/types';
import { fakeServer, json, makeMe, makeUser, renderWithProviders, type Handler } from '@/test/utils';
import { EditUserForm } from './EditUserForm';

const hana = makeUser({ id: 'u-hana', username: 'hana', role: 'none', bindings: [{ role: 'operator', tags: ['web'] }] });

function setup(target: User, answer: Handler) {
  const server = fakeServer({ [`PATCH /api/v1/users/${target.id}`]: answer });
  vi.stubGlobal('fetch', server.fetch);
  const onSaved = vi.fn();
  renderWithProviders(<EditUserForm user={target} onSaved={onSaved} onCancel={() => undefined} />, { me: makeMe('admin') });
  return { server, onSaved, user: userEvent.setup() };
}

describe('EditUserForm host roles', () => {
  it('starts from the saved host roles and sends the edited list', async () => {
    const { server, onSaved, user } = setup(hana, () => json(200, hana));
    expect(screen.getByTestId('user-binding-role-0')).toHaveValue('operator');
    expect(screen.queryByTestId('user-bindings-sso-note')).not.toBeInTheDocument();
    await user.click(screen.getByTestId('user-add-binding'));
    await user.type(screen.getByTestId('user-binding-tags-1'), 'DB,');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalled());
    const body = (await server.calls('PATCH', `/api/v1/users/${hana.id}`)[0]?.json()) as { bindings: unknown };
    expect(body.bindings).toEqual([
      { role: 'operator', tags: ['web'] },
      { role: 'viewer', tags: ['DB'] },
    ]);
  });

  it('clears the host roles with an empty list', async () => {
    const { server, onSaved, user } = setup(hana, () => json(200, { ...hana, bindings: [] }));
    await user.click(screen.getByRole('button', { name: 'Remove host role' }));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalled());
    const body = (await server.calls('PATCH', `/api/v1/users/${hana.id}`)[0]?.json()) as { bindings: unknown };
    expect(body.bindings).toEqual([]);
  });

  it('shows a user.invalid_binding refusal at the editor, not above the form', async () => {
    const message = 'At most 20 host roles.';
    const { user } = setup(hana, () => json(400, { code: 'user.invalid_binding', message, details: { field: 'bindings' } }));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByTestId('user-bindings-error')).toHaveTextContent(message);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('tells that an SSO user’s groups set their host roles at each sign-in', () => {
    setup({ ...hana, sso_provider_id: '00000000-0000-4000-8000-00000000aaaa', sso_subject: 'hana' }, () => json(200, hana));
    expect(within(screen.getByTestId('user-bindings-editor')).getByTestId('user-bindings-sso-note')).toHaveTextContent('set the host roles again at each sign-in');
  });
});

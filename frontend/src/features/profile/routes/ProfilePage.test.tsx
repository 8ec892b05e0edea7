// The profile's password section: a local user changes their password here; a user who signs in
// through single sign-on is told their password lives at the identity provider. "Your access"
// shows the role over all hosts and the host roles.
import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, json, makeMe, renderWithProviders } from '@/test/utils';
import { ProfilePage } from './ProfilePage';

function setup(sso: boolean) {
  const me = makeMe('operator', sso ? { sso_provider_id: '00000000-0000-4000-8000-00000000aaaa', sso_subject: 'alice' } : {});
  const server = fakeServer({ 'GET /api/v1/auth/tokens': () => json(200, []) });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, { me, route: '/profile', routes: [{ path: '/profile', element: <ProfilePage /> }] });
}

describe('ProfilePage', () => {
  it('offers a local user the password form', async () => {
    setup(false);
    expect(await screen.findByRole('button', { name: 'Change password' })).toBeInTheDocument();
    expect(screen.queryByTestId('sso-password-note')).not.toBeInTheDocument();
  });

  it('tells a single sign-on user their password is at the provider, with no form', async () => {
    setup(true);
    expect(await screen.findByTestId('sso-password-note')).toHaveTextContent('managed by your organization’s identity provider');
    expect(screen.queryByRole('button', { name: 'Change password' })).not.toBeInTheDocument();
    expect(screen.getByTestId('user-sso-badge')).toBeInTheDocument();
  });

  it('shows the role over all hosts and each host role, with what they mean', async () => {
    const me = makeMe('none', { bindings: [{ role: 'operator', tags: ['web', 'eu'] }, { role: 'viewer', tags: ['db'] }] });
    vi.stubGlobal('fetch', fakeServer({ 'GET /api/v1/auth/tokens': () => json(200, []) }).fetch);
    renderWithProviders(null, { me, route: '/profile', routes: [{ path: '/profile', element: <ProfilePage /> }] });
    const bindings = await screen.findByTestId('profile-bindings');
    expect(bindings).toHaveTextContent('operator · web, eu');
    expect(bindings).toHaveTextContent('viewer · db');
    expect(screen.getByTestId('profile-access')).toHaveTextContent('You see and act only on hosts carrying these tags.');
  });

  it('shows no host roles for a user without any', async () => {
    setup(false);
    expect(await screen.findByTestId('profile-access')).toHaveTextContent('Operator');
    expect(screen.queryByTestId('profile-bindings')).not.toBeInTheDocument();
  });
});

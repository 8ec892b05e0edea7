// The sign-in page with single sign-on: a link per provider carrying the encoded next page, only
// those links when password sign-in is off, and the reason a provider sign-in failed.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ServerInfo } from '@/api/types';
import { fakeServer, json, readyInfo, renderWithProviders } from '@/test/utils';
import { LoginPage } from './LoginPage';

const providers = [
  { id: '00000000-0000-4000-8000-000000000063', slug: 'keycloak', label: 'Keycloak' },
  { id: '00000000-0000-4000-8000-000000000060', slug: 'entra', label: 'Entra ID' },
];

function setup(info: ServerInfo, route = '/login') {
  const server = fakeServer({ 'GET /api/v1/info': () => json(200, info) });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, { info, route, routes: [{ path: '/login', element: <LoginPage /> }] });
  return server;
}

describe('LoginPage', () => {
  it('offers a button per provider that starts its sign-in and comes back to the page asked for', async () => {
    setup({ ...readyInfo, sso_providers: providers }, `/login?next=${encodeURIComponent('/audit?outcome=denied&actor=ada')}`);
    const keycloak = await screen.findByTestId('sso-button-keycloak');
    expect(keycloak.tagName).toBe('A');
    expect(keycloak).toHaveTextContent('Sign in with Keycloak');
    expect(keycloak).toHaveAttribute('href', '/api/v1/auth/oidc/keycloak/start?next=%2Faudit%3Foutcome%3Ddenied%26actor%3Dada');
    expect(screen.getByTestId('sso-button-entra')).toHaveTextContent('Sign in with Entra ID');
    // Both ways in, separated by "or".
    expect(screen.getByLabelText('Username')).toBeInTheDocument();
    expect(screen.getByText('or')).toBeInTheDocument();
  });

  it('lands on home when no page (or a foreign one) was asked for', async () => {
    setup({ ...readyInfo, sso_providers: providers }, `/login?next=${encodeURIComponent('//evil.example/x')}`);
    expect(await screen.findByTestId('sso-button-entra')).toHaveAttribute('href', '/api/v1/auth/oidc/entra/start?next=%2F');
  });

  it('shows only the providers when password sign-in is off', async () => {
    setup({ ...readyInfo, local_login_enabled: false, sso_providers: providers });
    expect(await screen.findByTestId('sso-button-keycloak')).toBeInTheDocument();
    expect(screen.queryByLabelText('Username')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sign in' })).not.toBeInTheDocument();
    expect(screen.getByTestId('local-login-off')).toHaveTextContent('Password sign-in is turned off');
    expect(screen.queryByText('or')).not.toBeInTheDocument();
  });

  it('keeps a discreet password way in for a break-glass admin when password sign-in is off', async () => {
    setup({ ...readyInfo, local_login_enabled: false, break_glass_login: true, sso_providers: providers });
    const link = await screen.findByTestId('break-glass');
    expect(screen.queryByLabelText('Username')).not.toBeInTheDocument();
    await userEvent.setup().click(link);
    expect(await screen.findByLabelText('Username')).toBeInTheDocument();
    expect(screen.queryByTestId('break-glass')).not.toBeInTheDocument();
  });

  it('offers no break-glass way when the server names no break-glass user', async () => {
    setup({ ...readyInfo, local_login_enabled: false, break_glass_login: false, sso_providers: providers });
    await screen.findByTestId('sso-button-keycloak');
    expect(screen.queryByTestId('break-glass')).not.toBeInTheDocument();
  });

  it('after signing out of Cairn, offers signing out at the provider the user came from', async () => {
    setup({ ...readyInfo, sso_providers: providers }, `/login?signed_out=${providers[1]?.id ?? ''}`);
    const out = await screen.findByTestId('sso-logout');
    expect(out).toHaveTextContent('Also sign out of Entra ID');
    expect(out).toHaveAttribute('href', '/api/v1/auth/oidc/entra/logout');
    expect(screen.getByTestId('signed-out')).toHaveTextContent('You are signed out of Cairn');
  });

  it('shows no provider buttons when none is enabled', async () => {
    setup(readyInfo);
    expect(await screen.findByLabelText('Username')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /Sign in with/ })).not.toBeInTheDocument();
    expect(screen.queryByText('or')).not.toBeInTheDocument();
  });

  it("shows why a provider sign-in failed, in the server's words, and keeps the buttons", async () => {
    const message = 'You are in no group that has access to Cairn.';
    setup(
      { ...readyInfo, sso_providers: providers },
      `/login?sso_error=auth.sso_no_role&sso_message=${encodeURIComponent(message)}`,
    );
    const alert = await screen.findByTestId('sso-error');
    expect(alert).toHaveTextContent(message);
    expect(screen.getByTestId('sso-button-keycloak')).toHaveAttribute('href', '/api/v1/auth/oidc/keycloak/start?next=%2F');
    // The password form still works beside it.
    await userEvent.setup().type(screen.getByLabelText('Username'), 'ada');
    expect(screen.getByLabelText('Username')).toHaveValue('ada');
  });

  it('falls back to a sentence of its own when the server sent only a code', async () => {
    setup({ ...readyInfo, local_login_enabled: false, sso_providers: providers }, '/login?sso_error=auth.sso_state');
    expect(await screen.findByTestId('sso-error')).toHaveTextContent('Sign in again');
    expect(within(screen.getByTestId('sso-error')).queryByText('auth.sso_state')).not.toBeInTheDocument();
  });
});

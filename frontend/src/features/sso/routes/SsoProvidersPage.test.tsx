// The single sign-on providers against a scripted server: the empty state, a new provider's POST
// body (mappings, no default role when refusing) and its redirect URI, a refused issuer on its
// field, an edit keeping the stored secret, deleting after a confirmation, a read-only provider from
// the configuration file, and the password sign-in switch (confirmed off, refused, locked, on).
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { SignInSettings, SignInSettingsRequest, SsoProvider, SsoProviderRequest } from '@/api/types';
import { keys } from '@/api/queryKeys';
import { fakeServer, json, makeMe, readyInfo, renderWithProviders, type Handler } from '@/test/utils';
import { slugFrom } from '../providers';
import { SsoProvidersPage } from './SsoProvidersPage';

const ID = '90000000-0000-4000-8000-000000000001';
const REDIRECT = 'https://cairn.example.org/api/v1/auth/oidc/callback';

function makeProvider(overrides: Partial<SsoProvider> = {}): SsoProvider {
  return {
    id: ID,
    slug: 'keycloak',
    label: 'Keycloak',
    issuer: 'https://login.example.org/realms/main',
    client_id: 'cairn',
    scopes: ['openid', 'profile', 'email', 'groups'],
    username_claim: 'preferred_username',
    groups_claim: 'groups',
    role_map: [{ group: 'cairn-admins', role: 'admin', tags: [] }],
    default_role: 'viewer',
    link_by_email: false,
    enabled: true,
    redirect_uri: REDIRECT,
    from_config: false,
    ...overrides,
  };
}

const SIGN_IN_ON: SignInSettings = { local_login: true, forced_off_by_config: false, break_glass_users: ['root'] };

function setup(providers: SsoProvider[], extra: Record<string, Handler> = {}) {
  const server = fakeServer({
    'GET /api/v1/sso-providers': () => json(200, providers),
    'GET /api/v1/sign-in-settings': () => json(200, SIGN_IN_ON),
    ...extra,
  });
  vi.stubGlobal('fetch', server.fetch);
  const { queryClient } = renderWithProviders(null, {
    me: makeMe('admin'),
    info: readyInfo,
    route: '/users/sso',
    routes: [{ path: '/users/sso', element: <SsoProvidersPage /> }],
  });
  return Object.assign(server, { queryClient });
}

/** Types a value in one go (a paste): the form re-renders once, not per key. */
async function fill(user: ReturnType<typeof userEvent.setup>, input: HTMLElement, value: string) {
  await user.click(input);
  await user.paste(value);
}

async function bodyOf(request: Request | undefined): Promise<SsoProviderRequest> {
  return (await request!.json()) as SsoProviderRequest;
}

describe('slugFrom', () => {
  it('makes a URL-safe short name from a label', () => {
    expect(slugFrom('Keycloak (Main)')).toBe('keycloak-main');
    expect(slugFrom('  Entra ID – Zürich ')).toBe('entra-id-zurich');
    expect(slugFrom('***')).toBe('');
  });
});

describe('SsoProvidersPage', () => {
  it('says what to add while there is no provider', async () => {
    setup([]);
    const empty = await screen.findByTestId('sso-empty');
    expect(empty).toHaveTextContent('Add your identity provider: Keycloak, Authentik, Entra ID, Google…');
    expect(within(empty).getByTestId('sso-add')).toBeInTheDocument();
  });

  it('lists each provider with its issuer, state, role mappings and redirect URI', async () => {
    setup([makeProvider(), makeProvider({ id: 'p2', slug: 'google', label: 'Google', enabled: false, role_map: [], default_role: undefined })]);
    const rows = await screen.findAllByTestId('sso-provider-row');
    expect(rows.map((r) => r.getAttribute('data-slug'))).toEqual(['keycloak', 'google']);
    expect(rows[0]).toHaveTextContent('https://login.example.org/realms/main');
    expect(rows[0]).toHaveTextContent('Enabled');
    expect(within(rows[0]!).getByTestId('sso-role-summary')).toHaveTextContent('cairn-admins → Admin · others: Viewer');
    expect(within(rows[0]!).getByTestId('sso-redirect-uri')).toHaveTextContent(REDIRECT);
    expect(rows[1]).toHaveTextContent('Disabled');
    expect(within(rows[1]!).getByTestId('sso-role-summary')).toHaveTextContent('no mappings: everyone is refused');
  });

  it('creates a provider with its mappings, refusing users in no group, and shows the redirect URI', async () => {
    const server = setup([], {
      'POST /api/v1/sso-providers': async (r) => {
        const body = await bodyOf(r);
        return json(201, makeProvider({ label: body.label, slug: body.slug, role_map: body.role_map, default_role: undefined }));
      },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('sso-add'));
    const form = await screen.findByTestId('sso-form');
    await fill(user, within(form).getByTestId('sso-field-label'), 'Keycloak Main');
    expect(within(form).getByTestId('sso-field-slug')).toHaveValue('keycloak-main');
    await fill(user, within(form).getByTestId('sso-field-issuer'), 'https://login.example.org/realms/main');
    await fill(user, within(form).getByTestId('sso-field-client-id'), 'cairn');
    await fill(user, within(form).getByTestId('sso-field-client-secret'), 's3cret');
    await user.click(within(form).getByTestId('sso-add-mapping'));
    await fill(user, within(form).getByTestId('sso-mapping-group-0'), 'cairn-admins');
    await user.click(within(form).getByTestId('sso-mapping-role-0'));
    // A mapping always gives a role: `none` is not offered.
    expect(screen.queryByRole('option', { name: /none/i })).not.toBeInTheDocument();
    await user.click(await screen.findByRole('option', { name: 'Admin' }));
    await user.click(within(form).getByTestId('sso-add-mapping'));
    await fill(user, within(form).getByTestId('sso-mapping-group-1'), 'ops');
    // With tags, the viewer role covers only the hosts carrying one of them.
    await user.type(within(form).getByTestId('sso-mapping-tags-1'), 'web,');
    // Enter in a field submits the form.
    await user.type(within(form).getByTestId('sso-field-client-id'), '{Enter}');

    await waitFor(() => expect(server.calls('POST', '/api/v1/sso-providers')).toHaveLength(1));
    const sent = await bodyOf(server.calls('POST', '/api/v1/sso-providers')[0]);
    expect(sent).toEqual({
      label: 'Keycloak Main',
      slug: 'keycloak-main',
      issuer: 'https://login.example.org/realms/main',
      client_id: 'cairn',
      client_secret: 's3cret',
      scopes: ['openid', 'profile', 'email', 'groups'],
      username_claim: 'preferred_username',
      groups_claim: 'groups',
      role_map: [
        { group: 'cairn-admins', role: 'admin', tags: [] },
        { group: 'ops', role: 'viewer', tags: ['web'] },
      ],
      link_by_email: false,
      enabled: true,
    });
    expect(sent).not.toHaveProperty('default_role');

    const saved = await screen.findByTestId('sso-saved');
    expect(saved).toHaveTextContent('Register this redirect URI at your provider.');
    // As text: the e2e run reads the first one's text, the saved dialog's or a row's.
    expect(within(saved).getByTestId('sso-redirect-uri')).toHaveTextContent(REDIRECT);
    expect(within(saved).getByRole('button', { name: 'Copy the redirect URI' })).toBeInTheDocument();
    // Escape closes it; the new provider is listed with the same URI.
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('sso-saved')).not.toBeInTheDocument());
  });

  it('puts a refused issuer under the issuer input', async () => {
    setup([], {
      'POST /api/v1/sso-providers': () =>
        json(400, {
          code: 'sso.provider_invalid',
          message: 'The issuer must be an https:// URL (http:// only on this machine).',
          details: { field: 'issuer' },
        }),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('sso-add'));
    const form = await screen.findByTestId('sso-form');
    await fill(user, within(form).getByTestId('sso-field-label'), 'Inside');
    const issuer = within(form).getByTestId('sso-field-issuer');
    await fill(user, issuer, 'http://idp.internal/realms/x');
    await fill(user, within(form).getByTestId('sso-field-client-id'), 'cairn');
    await fill(user, within(form).getByTestId('sso-field-client-secret'), 's3cret');
    await user.click(within(form).getByTestId('sso-save'));
    await waitFor(() => expect(issuer).toHaveAttribute('aria-invalid', 'true'));
    expect(within(form).getByText('The issuer must be an https:// URL (http:// only on this machine).')).toBeInTheDocument();
    expect(within(form).queryByText('Could not save the provider')).not.toBeInTheDocument();
  });

  it('puts a taken slug under the short name input', async () => {
    setup([], {
      'POST /api/v1/sso-providers': () => json(409, { code: 'sso.slug_taken', message: 'Another provider is called keycloak.', details: { field: 'slug' } }),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('sso-add'));
    const form = await screen.findByTestId('sso-form');
    await fill(user, within(form).getByTestId('sso-field-label'), 'Keycloak');
    await fill(user, within(form).getByTestId('sso-field-issuer'), 'https://login.example.org');
    await fill(user, within(form).getByTestId('sso-field-client-id'), 'cairn');
    await fill(user, within(form).getByTestId('sso-field-client-secret'), 's3cret');
    await user.click(within(form).getByTestId('sso-save'));
    await waitFor(() => expect(within(form).getByTestId('sso-field-slug')).toHaveAttribute('aria-invalid', 'true'));
    expect(within(form).getByText('Another provider is called keycloak.')).toBeInTheDocument();
  });

  it('keeps the stored secret on an edit with the secret left empty', async () => {
    const server = setup([makeProvider()], {
      [`PUT /api/v1/sso-providers/${ID}`]: async (r) => json(200, makeProvider({ label: (await bodyOf(r)).label })),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit Keycloak' }));
    const form = await screen.findByTestId('sso-form');
    const secret = within(form).getByTestId('sso-field-client-secret');
    expect(secret).toHaveValue('');
    expect(secret).toHaveAttribute('placeholder', 'Leave empty to keep the stored secret');
    // The slug does not follow the label on an edit.
    const label = within(form).getByTestId('sso-field-label');
    await user.clear(label);
    await user.type(label, 'Company login');
    expect(within(form).getByTestId('sso-field-slug')).toHaveValue('keycloak');
    await user.click(within(form).getByTestId('sso-save'));

    await waitFor(() => expect(server.calls('PUT', `/api/v1/sso-providers/${ID}`)).toHaveLength(1));
    const sent = await bodyOf(server.calls('PUT', `/api/v1/sso-providers/${ID}`)[0]);
    expect(sent).not.toHaveProperty('client_secret');
    expect(sent).toMatchObject({ label: 'Company login', slug: 'keycloak', default_role: 'viewer', role_map: [{ group: 'cairn-admins', role: 'admin' }] });
    expect(await screen.findByTestId('sso-saved')).toHaveTextContent('Register this redirect URI at your provider.');
  });

  it('deletes a provider after a confirmation', async () => {
    let providers = [makeProvider()];
    const server = fakeServer({
      'GET /api/v1/sso-providers': () => json(200, providers),
      'GET /api/v1/sign-in-settings': () => json(200, SIGN_IN_ON),
      [`DELETE /api/v1/sso-providers/${ID}`]: () => {
        providers = [];
        return new Response(null, { status: 204 });
      },
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { me: makeMe('admin'), route: '/users/sso', routes: [{ path: '/users/sso', element: <SsoProvidersPage /> }] });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('sso-delete'));
    expect(server.calls('DELETE', `/api/v1/sso-providers/${ID}`)).toHaveLength(0);
    await user.click(await screen.findByRole('button', { name: 'Delete provider' }));
    await waitFor(() => expect(server.calls('DELETE', `/api/v1/sso-providers/${ID}`)).toHaveLength(1));
    expect(await screen.findByTestId('sso-empty')).toBeInTheDocument();
  });

  it('shows a provider from the configuration file as read-only, with its redirect URI and mappings', async () => {
    setup([makeProvider({ from_config: true }), makeProvider({ id: 'p2', slug: 'google', label: 'Google' })]);
    const rows = await screen.findAllByTestId('sso-provider-row');
    const fromFile = rows[0]!;
    expect(within(fromFile).getByTestId('sso-from-config')).toHaveTextContent('From the configuration file');
    expect(fromFile).toHaveTextContent("Change it in the server's configuration file and restart");
    expect(within(fromFile).queryByRole('button', { name: 'Edit Keycloak' })).not.toBeInTheDocument();
    expect(within(fromFile).queryByTestId('sso-delete')).not.toBeInTheDocument();
    expect(within(fromFile).getByTestId('sso-redirect-uri')).toHaveTextContent(REDIRECT);
    expect(within(fromFile).getByTestId('sso-role-summary')).toHaveTextContent('cairn-admins → Admin · others: Viewer');
    // A provider made here stays editable.
    expect(within(rows[1]!).queryByTestId('sso-from-config')).not.toBeInTheDocument();
    expect(within(rows[1]!).getByRole('button', { name: 'Edit Google' })).toBeInTheDocument();
    expect(within(rows[1]!).getByTestId('sso-delete')).toBeInTheDocument();
  });
});

describe('Password sign-in', () => {
  async function bodyOfSettings(request: Request | undefined): Promise<SignInSettingsRequest> {
    return (await request!.json()) as SignInSettingsRequest;
  }

  it('turns password sign-in off after a confirmation naming the break-glass users, and rereads the server info', async () => {
    let settings = SIGN_IN_ON;
    const server = setup([makeProvider()], {
      'GET /api/v1/sign-in-settings': () => json(200, settings),
      'PUT /api/v1/sign-in-settings': async (r) => {
        settings = { ...settings, local_login: (await bodyOfSettings(r)).local_login };
        return json(200, settings);
      },
    });
    const user = userEvent.setup();
    const toggle = await screen.findByTestId('local-login-switch');
    expect(toggle).toBeChecked();
    await user.click(toggle);
    const confirm = await screen.findByTestId('local-login-confirm');
    expect(confirm).toHaveTextContent('People will sign in only through the single sign-on providers');
    expect(confirm).toHaveTextContent('root');
    expect(confirm).toHaveTextContent('Sessions already open keep working.');
    expect(server.calls('PUT', '/api/v1/sign-in-settings')).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: 'Turn password sign-in off' }));

    await waitFor(() => expect(server.calls('PUT', '/api/v1/sign-in-settings')).toHaveLength(1));
    expect(await bodyOfSettings(server.calls('PUT', '/api/v1/sign-in-settings')[0])).toEqual({ local_login: false });
    await waitFor(() => expect(screen.queryByTestId('local-login-confirm')).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId('local-login-switch')).not.toBeChecked());
    // The sign-in page reads `local_login_enabled` from /v1/info: it is stale now.
    expect(server.queryClient.getQueryState(keys.info)?.isInvalidated).toBe(true);
  });

  it('warns when no break-glass user is configured, and cancelling sends nothing', async () => {
    const server = setup([makeProvider()], {
      'GET /api/v1/sign-in-settings': () => json(200, { ...SIGN_IN_ON, break_glass_users: [] }),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('local-login-switch'));
    const confirm = await screen.findByTestId('local-login-confirm');
    expect(confirm).toHaveTextContent('No break-glass user is configured (auth.break_glass_users)');
    expect(confirm).toHaveTextContent('cairn-server admin local-login on');
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('local-login-confirm')).not.toBeInTheDocument());
    expect(server.calls('PUT', '/api/v1/sign-in-settings')).toHaveLength(0);
    expect(screen.getByTestId('local-login-switch')).toBeChecked();
  });

  it('shows the refusal when no single sign-on provider is enabled', async () => {
    setup([], {
      'PUT /api/v1/sign-in-settings': () =>
        json(409, {
          code: 'auth.no_sso_provider',
          message: 'Add and enable a single sign-on provider first, or nobody could sign in.',
          details: {},
        }),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('local-login-switch'));
    await user.click(within(await screen.findByTestId('local-login-confirm')).getByRole('button', { name: 'Turn password sign-in off' }));
    const error = await screen.findByTestId('local-login-error');
    expect(error).toHaveTextContent('Add and enable a single sign-on provider first');
    expect(within(screen.getByTestId('sign-in-settings')).getByTestId('local-login-error')).toBe(error);
    expect(screen.getByTestId('local-login-switch')).toBeChecked();
  });

  it('locks the switch off when the configuration file turns password sign-in off', async () => {
    setup([makeProvider()], {
      'GET /api/v1/sign-in-settings': () => json(200, { local_login: false, forced_off_by_config: true, break_glass_users: [] }),
    });
    const toggle = await screen.findByTestId('local-login-switch');
    expect(toggle).not.toBeChecked();
    expect(toggle).toBeDisabled();
    expect(screen.getByTestId('local-login-forced')).toHaveTextContent(
      'The configuration file turns password sign-in off (auth.local_login = false)',
    );
  });

  it('turns password sign-in on without a confirmation', async () => {
    const off: SignInSettings = { local_login: false, forced_off_by_config: false, break_glass_users: ['root'] };
    const server = setup([makeProvider()], {
      'GET /api/v1/sign-in-settings': () => json(200, off),
      'PUT /api/v1/sign-in-settings': () => json(200, { ...off, local_login: true }),
    });
    const user = userEvent.setup();
    const toggle = await screen.findByTestId('local-login-switch');
    expect(toggle).not.toBeChecked();
    expect(screen.queryByTestId('local-login-forced')).not.toBeInTheDocument();
    await user.click(toggle);
    await waitFor(() => expect(server.calls('PUT', '/api/v1/sign-in-settings')).toHaveLength(1));
    expect(await bodyOfSettings(server.calls('PUT', '/api/v1/sign-in-settings')[0])).toEqual({ local_login: true });
    expect(screen.queryByTestId('local-login-confirm')).not.toBeInTheDocument();
  });
});

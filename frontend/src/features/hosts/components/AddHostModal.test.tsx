// The add-host flow against a scripted server: the token request carries the chosen options,
// the install command is shown, the dialog waits (polling list_hosts with created_after) while
// no new host exists, and turns into the success state as soon as one enrolled after the token
// appears. With a self-signed server certificate the fingerprint is shown and pinned.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { CreatedEnrollmentToken, Host, ServerInfo } from '@/api/types';
import { cursorList, fakeServer, json, makeHost, makeMe, makeRepository, readyInfo, renderWithProviders } from '@/test/utils';
import { AddHostFlow } from './AddHostModal';

const TOKEN_CREATED_AT = '2025-03-02T12:00:00Z';
const PIN = 'SHA256:3q2+7wBEEFcafeF00dDEADbeef0123456789abcdefABC=';
const PIN_HEX = 'DE:AD:BE:EF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB';

function created(body: { ttl_secs?: number; tags?: string[]; repository_id?: string }): CreatedEnrollmentToken {
  return {
    token: {
      id: '40000000-0000-4000-8000-000000000001',
      created_at: TOKEN_CREATED_AT,
      expires_at: '2025-03-03T12:00:00Z',
      tags: body.tags ?? [],
      repository_id: body.repository_id,
    },
    secret: 'cet_SECRET',
    server_url: 'http://cairn.example:8080',
    install_command: 'cairn-agent enroll --server http://cairn.example:8080 --token cet_SECRET && cairn-agent run',
  };
}

/** What the server answers when it serves a self-signed certificate. */
function createdWithPin(): CreatedEnrollmentToken {
  return {
    ...created({}),
    server_url: 'https://cairn.example:8443',
    pin: PIN,
    install_command: `cairn-agent enroll --server https://cairn.example:8443 --token cet_SECRET --pin ${PIN} && cairn-agent run`,
  };
}

describe('AddHostFlow', () => {
  it('creates a token, waits for the agent, then shows the new host', async () => {
    const repo = makeRepository();
    // An older host (enrolled before the token) must not count as "the new one".
    const old = makeHost({ hostname: 'old-box', created_at: '2025-03-01T09:00:00Z' });
    const fresh: Host = makeHost({
      id: '10000000-0000-4000-8000-0000000000ff',
      hostname: 'new-box',
      created_at: '2025-03-02T12:00:05Z',
      fingerprint: 'SHA256:newboxFINGERPRINT',
      status: 'online',
      tags: ['web'],
    });
    let enrolled = false;
    // Like the server: only hosts created at or after `created_after` (the old one never is).
    const listHosts = (r: Request) => {
      const after = new URL(r.url).searchParams.get('created_after');
      const items = (enrolled ? [old, fresh] : [old]).filter((h) => !after || h.created_at >= after);
      return cursorList(items)(r);
    };
    const server = fakeServer({
      'GET /api/v1/repositories': () => json(200, { items: [repo] }),
      'GET /api/v1/hosts': listHosts,
      'POST /api/v1/enrollment-tokens': async (r) => json(201, created((await r.json()) as Record<string, never>)),
    });
    vi.stubGlobal('fetch', server.fetch);
    const onOpenHost = vi.fn();
    renderWithProviders(<AddHostFlow pollInterval={40} onOpenHost={onOpenHost} />, { me: makeMe('operator') });
    const user = userEvent.setup();

    await user.click(screen.getByRole('combobox', { name: 'Token lifetime' }));
    await user.click(await screen.findByRole('option', { name: '24 hours' }));
    await user.type(screen.getByRole('combobox', { name: 'Tags' }), 'web{Enter}');
    await user.click(screen.getByRole('combobox', { name: 'Initial repository' }));
    await user.click(await screen.findByRole('option', { name: 'office-nas' }));
    await user.click(screen.getByRole('button', { name: 'Create install command' }));

    expect(await screen.findByTestId('install-command')).toHaveTextContent(
      'cairn-agent enroll --server http://cairn.example:8080 --token cet_SECRET',
    );
    const sent = (await server.calls('POST', '/api/v1/enrollment-tokens')[0]?.json()) as Record<string, unknown>;
    expect(sent).toEqual({ ttl_secs: 86400, tags: ['web'], repository_id: repo.id });
    expect(screen.getByTestId('announce-command').textContent).toBe(
      'cairn-agent enroll --server http://cairn.example:8080 --announce',
    );
    // Plain HTTP (or a CA certificate): nothing about pins.
    expect(screen.queryByTestId('server-certificate')).not.toBeInTheDocument();

    // Waiting: several polls go by with only the old host, and no success state.
    expect(screen.getByTestId('add-host-waiting')).toHaveTextContent('Waiting for the agent…');
    await waitFor(() => expect(server.calls('GET', '/api/v1/hosts').length).toBeGreaterThanOrEqual(3));
    expect(screen.queryByTestId('add-host-done')).not.toBeInTheDocument();
    // The poll asks the server for hosts created since the token (so fleets over one page
    // cannot hide the new host), narrowed by the token's tag.
    const polled = new URL(server.calls('GET', '/api/v1/hosts').at(-1)!.url);
    expect(polled.searchParams.get('created_after')).toBe(TOKEN_CREATED_AT);
    expect(polled.searchParams.get('tag')).toBe('web');

    enrolled = true;
    const done = await screen.findByTestId('add-host-done', {}, { timeout: 3000 });
    expect(done).toHaveTextContent('new-box enrolled');
    expect(done).toHaveTextContent('SHA256:newboxFINGERPRINT');
    expect(done).not.toHaveTextContent('old-box');
    expect(screen.queryByTestId('add-host-waiting')).not.toBeInTheDocument();
    const open = screen.getByRole('link', { name: 'Open host' });
    expect(open).toHaveAttribute('href', `/hosts/${fresh.id}`);
    await user.click(open);
    expect(onOpenHost).toHaveBeenCalled();
  });

  it('shows the server’s message when the token cannot be created', async () => {
    const server = fakeServer({
      'GET /api/v1/repositories': () => json(200, { items: [] }),
      'GET /api/v1/hosts': cursorList([]),
      'POST /api/v1/enrollment-tokens': () =>
        json(403, { code: 'auth.forbidden', message: 'Your role cannot enroll hosts.', details: {} }),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<AddHostFlow pollInterval={40} onOpenHost={() => undefined} />, { me: makeMe('viewer') });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Create install command' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Your role cannot enroll hosts.');
    expect(screen.queryByTestId('install-command')).not.toBeInTheDocument();
    const sent = (await server.calls('POST', '/api/v1/enrollment-tokens')[0]?.json()) as Record<string, unknown>;
    expect(sent).toEqual({ ttl_secs: 3600, tags: [] });
  });

  it('refuses a tag the server would not take before sending anything', async () => {
    const server = fakeServer({
      'GET /api/v1/repositories': () => json(200, { items: [] }),
      'GET /api/v1/hosts': cursorList([]),
      'POST /api/v1/enrollment-tokens': () => json(201, created({})),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<AddHostFlow pollInterval={40} onOpenHost={() => undefined} />, { me: makeMe('operator') });
    const user = userEvent.setup();
    const tags = screen.getByRole('combobox', { name: 'Tags' });
    await user.type(tags, 'web{Enter}env prod{Enter}');
    expect(await screen.findByText('Tag “env prod” is not valid: use only letters, digits and - _ . : / = (no spaces)')).toBeInTheDocument();
    expect(tags).toHaveAttribute('aria-invalid', 'true');
    await user.click(screen.getByRole('button', { name: 'Create install command' }));
    expect(server.calls('POST', '/api/v1/enrollment-tokens')).toHaveLength(0);
  });

  it('shows the self-signed certificate and pins it in both commands', async () => {
    const info: ServerInfo = {
      ...readyInfo,
      tls: { mode: 'self_signed', fingerprint: PIN, fingerprint_hex: PIN_HEX },
    };
    const server = fakeServer({
      'GET /api/v1/repositories': () => json(200, { items: [] }),
      'GET /api/v1/hosts': cursorList([]),
      'POST /api/v1/enrollment-tokens': () => json(201, createdWithPin()),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<AddHostFlow pollInterval={40} onOpenHost={() => undefined} />, { me: makeMe('admin'), info });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Create install command' }));

    const cert = await screen.findByTestId('server-certificate');
    expect(cert).toHaveTextContent('Server certificate');
    expect(cert).toHaveTextContent('The agent will only trust this certificate (--pin).');
    expect(within(cert).getByTestId('server-fingerprint')).toHaveTextContent(PIN);
    expect(within(cert).getByTestId('server-fingerprint-hex')).toHaveTextContent(PIN_HEX);
    expect(within(cert).getByRole('button', { name: 'Copy certificate fingerprint' })).toBeInTheDocument();
    expect(screen.getByTestId('install-command')).toHaveTextContent(`--pin ${PIN}`);
    expect(screen.getByTestId('announce-command').textContent).toBe(
      `cairn-agent enroll --server https://cairn.example:8443 --announce --pin ${PIN}`,
    );
  });

  it('pins the token’s certificate even before the server info has loaded', async () => {
    const server = fakeServer({
      'GET /api/v1/repositories': () => json(200, { items: [] }),
      'GET /api/v1/hosts': cursorList([]),
      'POST /api/v1/enrollment-tokens': () => json(201, createdWithPin()),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<AddHostFlow pollInterval={40} onOpenHost={() => undefined} />, { me: makeMe('admin') });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Create install command' }));
    const cert = await screen.findByTestId('server-certificate');
    expect(within(cert).getByTestId('server-fingerprint')).toHaveTextContent(PIN);
    // The hex form comes from the server info only; without it the block still stands.
    expect(within(cert).queryByTestId('server-fingerprint-hex')).not.toBeInTheDocument();
    expect(screen.getByTestId('announce-command')).toHaveTextContent(`--announce --pin ${PIN}`);
  });

  it('says nothing about pins when the certificate comes from files', async () => {
    const info: ServerInfo = {
      ...readyInfo,
      tls: { mode: 'files', fingerprint: PIN, fingerprint_hex: PIN_HEX },
    };
    const server = fakeServer({
      'GET /api/v1/repositories': () => json(200, { items: [] }),
      'GET /api/v1/hosts': cursorList([]),
      'POST /api/v1/enrollment-tokens': () =>
        json(201, { ...created({}), server_url: 'https://cairn.example', install_command: 'cairn-agent enroll --server https://cairn.example --token cet_SECRET && cairn-agent run' }),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<AddHostFlow pollInterval={40} onOpenHost={() => undefined} />, { me: makeMe('admin'), info });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Create install command' }));
    expect(await screen.findByTestId('announce-command')).toHaveTextContent('cairn-agent enroll --server https://cairn.example --announce');
    expect(screen.getByTestId('announce-command')).not.toHaveTextContent('--pin');
    expect(screen.queryByTestId('server-certificate')).not.toBeInTheDocument();
    expect(screen.queryByText(/--pin/)).not.toBeInTheDocument();
  });
});

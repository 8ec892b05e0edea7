// The add-host flow against a scripted server: the token request carries the chosen options,
// the install command is shown, the dialog waits (polling list_hosts) while only older hosts
// exist, and turns into the success state as soon as a host enrolled after the token appears.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { CreatedEnrollmentToken, Host } from '@/api/types';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders } from '@/test/utils';
import { AddHostFlow } from './AddHostModal';

const TOKEN_CREATED_AT = '2025-03-02T12:00:00Z';

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
    const server = fakeServer({
      'GET /api/v1/repositories': () => json(200, { items: [repo] }),
      'GET /api/v1/hosts': () => json(200, { items: enrolled ? [old, fresh] : [old], total: enrolled ? 2 : 1 }),
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
    expect(screen.getByTestId('announce-command')).toHaveTextContent(
      'cairn-agent enroll --server http://cairn.example:8080 --announce',
    );

    // Waiting: several polls go by with only the old host, and no success state.
    expect(screen.getByTestId('add-host-waiting')).toHaveTextContent('Waiting for the agent…');
    await waitFor(() => expect(server.calls('GET', '/api/v1/hosts').length).toBeGreaterThanOrEqual(3));
    expect(screen.queryByTestId('add-host-done')).not.toBeInTheDocument();
    // The poll is narrowed by the token's tag.
    const polled = new URL(server.calls('GET', '/api/v1/hosts').at(-1)!.url);
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
      'GET /api/v1/hosts': () => json(200, { items: [], total: 0 }),
      'POST /api/v1/enrollment-tokens': () =>
        json(403, { code: 'auth.forbidden', message: 'Your role cannot enroll hosts.', details: null }),
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
});

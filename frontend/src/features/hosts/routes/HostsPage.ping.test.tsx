// "Test all hosts" on the Hosts page against a scripted server: who sees it, the request it
// sends (narrowed by the tag filter in the URL), and the notification with the count, or the
// server's message when it refuses.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Me } from '@/api/types';
import { cursorList, fakeServer, type Handler, json, makeHost, makeMe, renderWithProviders } from '@/test/utils';
import { HostsPage } from './HostsPage';

function setup(me: Me, ping: Handler, route = '/hosts') {
  const server = fakeServer({
    'GET /api/v1/hosts': cursorList([makeHost({ hostname: 'web-01', tags: ['web'] }), makeHost({ id: 'h2', hostname: 'nas' })]),
    'GET /api/v1/pending-hosts': () => json(200, { items: [] }),
    'POST /api/v1/hosts/ping': ping,
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<HostsPage />, { me, route });
  return server;
}

describe('HostsPage: test all hosts', () => {
  it('queues a test for the whole fleet and says how many hosts got it', async () => {
    const server = setup(makeMe('operator'), () => json(200, { queued: 2 }));
    const user = userEvent.setup();
    await screen.findByTestId('host-row-web-01');
    await user.click(screen.getByRole('button', { name: 'Test all hosts' }));
    expect(await screen.findByText('Connection test sent')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Sent a test to 2 hosts. Each agent picks it up at its next poll; offline hosts get it when they reconnect.',
      ),
    ).toBeInTheDocument();
    const calls = server.calls('POST', '/api/v1/hosts/ping');
    expect(calls).toHaveLength(1);
    expect(await calls[0]!.json()).toEqual({});
  });

  it('limits the test to the tag the list is filtered by', async () => {
    const server = setup(makeMe('admin'), () => json(200, { queued: 1 }), '/hosts?tag=web');
    const user = userEvent.setup();
    await screen.findByTestId('host-row-web-01');
    await user.click(screen.getByRole('button', { name: 'Test hosts tagged web' }));
    expect(await screen.findByText(/^Sent a test to 1 host tagged “web”\./)).toBeInTheDocument();
    expect(await server.calls('POST', '/api/v1/hosts/ping')[0]!.json()).toEqual({ tag: 'web' });
  });

  it('shows the server’s message when the test cannot be sent', async () => {
    setup(makeMe('operator'), () => json(429, { code: 'rate_limited', message: 'Too many tests; wait a minute.', details: {} }, { 'Retry-After': '60' }));
    const user = userEvent.setup();
    await screen.findByTestId('host-row-web-01');
    await user.click(screen.getByRole('button', { name: 'Test all hosts' }));
    expect(await screen.findByText('Could not send the connection test')).toBeInTheDocument();
    expect(screen.getByText('Too many tests; wait a minute.')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Test all hosts' })).toBeEnabled());
  });

  it('is not offered to a viewer', async () => {
    const server = setup(makeMe('viewer'), () => json(200, { queued: 2 }));
    await screen.findByTestId('host-row-web-01');
    expect(screen.queryByRole('button', { name: /^Test / })).not.toBeInTheDocument();
    expect(server.calls('POST', '/api/v1/hosts/ping')).toHaveLength(0);
  });
});

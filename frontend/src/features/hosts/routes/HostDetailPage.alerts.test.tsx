// The host page's alerts card against a scripted server: the host's unresolved alerts (asked by
// host and state), the link to all of them, "Muted until …" and the mute menu for an operator
// (a PUT with the time), and no mute control for a viewer.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { HostMute, Role } from '@/api/types';
import { ALERT_ID, makeAlert } from '@/test/alerts';
import { cursorList, fakeServer, json, hostSeenBy, makeHost, makeMe, renderWithProviders } from '@/test/utils';
import { HostDetailPage } from './HostDetailPage';

const host = makeHost();

function setup(role: Role, mute: HostMute = {}, alerts = [makeAlert()]) {
  let current = mute;
  const server = fakeServer({
    [`GET /api/v1/hosts/${host.id}`]: () => json(200, hostSeenBy(makeMe(role), host)),
    'GET /api/v1/hosts': cursorList([host]),
    'GET /api/v1/repositories': () => json(200, { items: [] }),
    'GET /api/v1/alerts': cursorList(alerts),
    [`GET /api/v1/hosts/${host.id}/mute`]: () => json(200, current),
    [`PUT /api/v1/hosts/${host.id}/mute`]: async (r) => {
      const body = (await r.json()) as { until: string | null };
      current = body.until ? { until: body.until } : {};
      return json(200, current);
    },
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, { me: makeMe(role), route: `/hosts/${host.id}`, routes: [{ path: '/hosts/:id', element: <HostDetailPage /> }] });
  return server;
}

describe('HostDetailPage alerts card', () => {
  it("lists the host's unresolved alerts and links to all of them", async () => {
    const server = setup('viewer');
    const card = await screen.findByTestId('host-alerts');
    const line = await within(card).findByTestId('host-alert');
    expect(line).toHaveAttribute('href', `/alerts/${ALERT_ID}`);
    expect(line).toHaveAttribute('data-severity', 'error');
    expect(line).toHaveTextContent('Backup of web-01 to office-nas failed');
    expect(line).toHaveTextContent('×3');
    const query = new URL(server.calls('GET', '/api/v1/alerts')[0]!.url).searchParams;
    expect(query.get('host_id')).toBe(host.id);
    expect(query.getAll('state')).toEqual(['open', 'acknowledged']);
    expect(query.get('limit')).toBe('20');
    expect(within(card).getByRole('link', { name: 'All alerts of web-01' })).toHaveAttribute('href', `/alerts?host_id=${host.id}`);
    // A viewer sees the mute but cannot change it.
    expect(await within(card).findByText('Notifications are on.')).toBeInTheDocument();
    expect(within(card).queryByRole('button', { name: 'Mute notifications' })).not.toBeInTheDocument();
  });

  it('says when the host has none', async () => {
    setup('viewer', {}, []);
    expect(await screen.findByTestId('host-alerts-empty')).toHaveTextContent('No unresolved alerts');
  });

  it('mutes for a day and unmutes for an operator', async () => {
    const server = setup('operator');
    const mute = await screen.findByTestId('host-mute');
    const user = userEvent.setup();
    const before = Date.now();
    await user.click(within(mute).getByRole('button', { name: 'Mute notifications' }));
    await user.click(await screen.findByRole('menuitem', { name: 'For 1 day' }));
    await waitFor(() => expect(mute).toHaveAttribute('data-muted', 'true'));
    expect(mute).toHaveTextContent('Muted until');
    const sent = (await server.calls('PUT', `/api/v1/hosts/${host.id}/mute`)[0]!.json()) as { until: string };
    expect(Date.parse(sent.until)).toBeGreaterThanOrEqual(before + 86_400_000 - 1000);

    await user.click(within(mute).getByRole('button', { name: 'Mute notifications' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Unmute' }));
    await waitFor(() => expect(mute).toHaveAttribute('data-muted', 'false'));
    expect((await server.calls('PUT', `/api/v1/hosts/${host.id}/mute`)[1]!.json()) as unknown).toEqual({ until: null });
  });
});

// The Hosts page against a scripted server: the fleet table, the pending-approval panel with
// its duplicate-hostname warning, and permission gating (operators cannot accept or reject).
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Me, PendingHost } from '@/api/types';
import { cursorList, fakeServer, json, makeHost, makeMe, makePendingHost, renderWithProviders } from '@/test/utils';
import { HostsPage } from './HostsPage';

const impostor = makePendingHost({ id: '20000000-0000-4000-8000-0000000000aa', hostname: 'web-01', duplicate_hostname: true });
const newcomer = makePendingHost({ id: '20000000-0000-4000-8000-0000000000bb', hostname: 'db-02', duplicate_hostname: false });

function setup(me: Me, pending: PendingHost[] = [impostor, newcomer]) {
  let waiting = [...pending];
  const server = fakeServer({
    'GET /api/v1/hosts': cursorList([
      makeHost({ hostname: 'web-01' }),
      makeHost({ id: 'h2', hostname: 'nas', status: 'offline', restic_version: undefined, agent_outdated: true }),
    ]),
    'GET /api/v1/pending-hosts': () => json(200, { items: waiting }),
    'POST /api/v1/pending-hosts/20000000-0000-4000-8000-0000000000bb/accept': () => {
      waiting = waiting.filter((p) => p.id !== newcomer.id);
      return json(201, makeHost({ id: 'h3', hostname: 'db-02' }));
    },
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<HostsPage />, { me, route: '/hosts' });
  return server;
}

describe('HostsPage', () => {
  it('lists hosts with status, outdated agent and missing restic', async () => {
    setup(makeMe('viewer'), []);
    const nas = await screen.findByTestId('host-row-nas');
    expect(within(nas).getByTestId('status-dot')).toHaveAttribute('data-status', 'offline');
    expect(within(nas).getByTestId('agent-outdated')).toHaveTextContent('outdated');
    expect(within(nas).getByTestId('restic-missing')).toHaveTextContent('not installed');
    const web = screen.getByTestId('host-row-web-01');
    expect(within(web).getByTestId('status-dot')).toHaveAttribute('data-status', 'online');
    expect(within(web).queryByTestId('restic-missing')).not.toBeInTheDocument();
    expect(within(web).getByRole('link', { name: 'web-01' })).toHaveAttribute('href', '/hosts/10000000-0000-4000-8000-000000000001');
    expect(screen.queryByTestId('pending-panel')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add host' })).not.toBeInTheDocument();
  });

  it('warns about a duplicate hostname only on that pending host', async () => {
    setup(makeMe('admin'));
    const panel = await screen.findByTestId('pending-panel');
    expect(panel).toHaveTextContent('2 hosts wait for approval');
    const dup = within(panel).getByTestId('pending-web-01');
    expect(within(dup).getByTestId('duplicate-warning')).toHaveTextContent(
      'A host with this name already exists — make sure this is not an impostor',
    );
    expect(within(dup).getByTestId('fingerprint')).toHaveTextContent(impostor.fingerprint);
    expect(dup).toHaveTextContent('Compare with the fingerprint the agent printed on the host');
    expect(dup).toHaveTextContent('198.51.100.7');
    const fresh = within(panel).getByTestId('pending-db-02');
    expect(within(fresh).queryByTestId('duplicate-warning')).not.toBeInTheDocument();
  });

  it('gives an operator no accept or reject buttons', async () => {
    const server = setup(makeMe('operator'));
    const panel = await screen.findByTestId('pending-panel');
    expect(within(panel).queryByRole('button', { name: 'Accept' })).not.toBeInTheDocument();
    expect(within(panel).queryByRole('button', { name: 'Reject' })).not.toBeInTheDocument();
    expect(within(panel).getAllByText('An administrator must accept or reject this host.')).toHaveLength(2);
    // Operators can still enroll hosts with a token.
    expect(screen.getByRole('button', { name: 'Add host' })).toBeInTheDocument();
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('lets an admin accept after confirming, with tags', async () => {
    const server = setup(makeMe('admin'));
    const user = userEvent.setup();
    const card = await screen.findByTestId('pending-db-02');
    await user.click(within(card).getByRole('button', { name: 'Accept' }));
    const dialog = await screen.findByRole('dialog', { name: 'Accept db-02?' });
    expect(within(dialog).getByTestId('fingerprint')).toHaveTextContent(newcomer.fingerprint);
    expect(server.calls('POST', `/api/v1/pending-hosts/${newcomer.id}/accept`)).toHaveLength(0);
    await user.type(within(dialog).getByRole('combobox', { name: 'Tags' }), 'db{Enter}');
    await user.click(within(dialog).getByRole('button', { name: 'Accept host' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Accept db-02?' })).not.toBeInTheDocument());
    const calls = server.calls('POST', `/api/v1/pending-hosts/${newcomer.id}/accept`);
    expect(calls).toHaveLength(1);
    expect(await calls[0]!.json()).toEqual({ tags: ['db'] });
    await waitFor(() => expect(screen.queryByTestId('pending-db-02')).not.toBeInTheDocument());
    expect(screen.getByTestId('pending-panel')).toHaveTextContent('1 host waits for approval');
  });
});

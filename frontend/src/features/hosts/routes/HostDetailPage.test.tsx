// Host detail against a scripted server: config sync wording, the connection test, and what
// a viewer may not touch.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { cursorList, fakeServer, json, hostSeenBy, makeHost, makeMe, makeRepository, renderWithProviders } from '@/test/utils';
import { HostDetailPage } from './HostDetailPage';

const repo = makeRepository();
const host = makeHost({ config_version: 3, applied_config_version: 2, repository_ids: [repo.id], tags: ['web'] });

function setup(role: 'admin' | 'viewer', shown = host, me = makeMe(role)) {
  const server = fakeServer({
    [`GET /api/v1/hosts/${host.id}`]: () => json(200, hostSeenBy(me, shown)),
    'GET /api/v1/hosts': cursorList([host]),
    'GET /api/v1/repositories': () => json(200, { items: [repo] }),
    [`POST /api/v1/hosts/${host.id}/ping`]: () => json(202, { command_id: 'c1', created_at: '2025-03-01T10:00:00Z' }),
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, {
    me,
    route: `/hosts/${host.id}`,
    routes: [{ path: '/hosts/:id', element: <HostDetailPage /> }],
  });
  return server;
}

describe('HostDetailPage', () => {
  it('says when the agent has not applied the wanted config, and sends a connection test', async () => {
    const server = setup('admin');
    const sync = await screen.findByTestId('config-sync');
    expect(sync).toHaveAttribute('data-in-sync', 'false');
    expect(sync).toHaveTextContent('waiting for the agent to apply config v3');
    expect(within(screen.getByTestId('host-facts')).getByTestId('fingerprint')).toHaveTextContent(host.fingerprint);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByTestId('ping-sent')).toHaveTextContent('Sent; the agent picks it up on its next poll.');
    expect(server.calls('POST', `/api/v1/hosts/${host.id}/ping`)).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Delete host' })).toBeInTheDocument();
  });

  it('shows a viewer the facts but no editors, test or delete', async () => {
    setup('viewer');
    await screen.findByTestId('host-facts');
    expect(await screen.findByText('office-nas')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save tags' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save repositories' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Test connection' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete host' })).not.toBeInTheDocument();
  });

  it('shows actions by what the caller may do on this host, not on some host', async () => {
    // Operator on `web`, viewer on `db`: a db host shows no "Run backup now" (the server
    // would refuse it), a web host does.
    const me = makeMe('none', {
      bindings: [
        { role: 'operator', tags: ['web'] },
        { role: 'viewer', tags: ['db'] },
      ],
    });
    setup('viewer', { ...host, tags: ['db'] }, me);
    await screen.findByTestId('host-facts');
    expect(screen.queryByRole('button', { name: 'Run backup now' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Test connection' })).not.toBeInTheDocument();
  });

  it('offers a host role its actions on a host carrying its tag', async () => {
    const me = makeMe('none', { bindings: [{ role: 'operator', tags: ['web'] }] });
    setup('viewer', host, me);
    expect(await screen.findByRole('button', { name: 'Run backup now' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Test connection' })).toBeInTheDocument();
    // Deleting a host needs the permission over all hosts.
    expect(screen.queryByRole('button', { name: 'Delete host' })).not.toBeInTheDocument();
  });

  it('shows the next run and the last scheduled run in the header', async () => {
    const jobId = '40000000-0000-4000-8000-0000000000bb';
    setup('viewer', {
      ...host,
      next_run: { at: new Date(Date.now() + 3 * 3600_000).toISOString(), schedule_id: 's1', schedule_name: 'nightly' },
      last_scheduled_run: {
        job_id: jobId,
        status: 'succeeded',
        created_at: new Date(Date.now() - 2 * 3600_000).toISOString(),
        schedule_id: 's1',
        schedule_name: 'nightly',
      },
    });
    const runs = await screen.findByTestId('host-runs');
    expect(within(runs).getByTestId('host-next-run')).toHaveTextContent('in 3 hours · nightly');
    const last = within(runs).getByTestId('host-last-run');
    expect(last).toHaveAttribute('href', `/jobs/${jobId}`);
    expect(last).toHaveTextContent(/Succeeded\s*2 hours ago/);
  });
});

// The fleet list read a page at a time against a scripted server: "Load more" sends the cursor
// and appends, the count comes from the first page ("10,000+" when capped), the filters live in
// the URL (search included) and any change starts again from the first page.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Host } from '@/api/types';
import { cursorList, fakeServer, json, makeHost, makeMe, renderWithProviders } from '@/test/utils';
import { HostsPage } from './HostsPage';

/** `n` hosts, by hostname. */
function fleet(n: number): Host[] {
  return Array.from({ length: n }, (_, i) => {
    const name = `host-${String(i).padStart(3, '0')}`;
    return makeHost({ id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`, hostname: name, tags: i % 2 ? ['db'] : ['web'] });
  });
}

function setup(route: string, hosts: Host[], options: { total?: number } = {}) {
  const list = cursorList(hosts, options);
  const server = fakeServer({
    'GET /api/v1/hosts': list,
    'GET /api/v1/pending-hosts': () => json(200, { items: [] }),
  });
  vi.stubGlobal('fetch', server.fetch);
  const rendered = renderWithProviders(null, { me: makeMe('viewer'), route, routes: [{ path: '/hosts', element: <HostsPage /> }] });
  // The fleet list's requests (the tag filter's own read asks for 500 at once).
  const listCalls = () => server.calls('GET', '/api/v1/hosts').filter((r) => new URL(r.url).searchParams.get('limit') === '25');
  const lastQuery = () => new URL(listCalls().at(-1)?.url ?? 'http://x/').searchParams;
  return { server, listCalls, lastQuery, user: userEvent.setup(), ...rendered };
}

const rows = () => screen.getAllByTestId(/^host-row-/);

describe('HostsPage paging', () => {
  it('"Load more" asks for the next page with the cursor and appends it', async () => {
    const { lastQuery, user } = setup('/hosts', fleet(30));
    await screen.findByTestId('host-row-host-000');
    expect(rows()).toHaveLength(25);
    expect(lastQuery().get('with_total')).toBe('true');
    expect(lastQuery().has('cursor')).toBe(false);
    expect(screen.getByTestId('hosts-count')).toHaveTextContent('30 hosts');
    expect(screen.getByTestId('hosts-count-shown')).toHaveTextContent('showing 25');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByTestId('host-row-host-029')).toBeInTheDocument();
    expect(rows()).toHaveLength(30);
    expect(rows()[0]).toHaveAttribute('data-testid', 'host-row-host-000');
    expect(lastQuery().get('cursor')).toBe('after-25');
    expect(lastQuery().has('with_total')).toBe(false);
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('shows a count the server stopped at as "10,000+ hosts"', async () => {
    setup('/hosts', fleet(26), { total: 50_000 });
    expect(await screen.findByTestId('hosts-count')).toHaveTextContent(`${(10_000).toLocaleString()}+ hosts`);
  });

  it('reads its filters, the search included, from the URL', async () => {
    const { lastQuery } = setup('/hosts?q=web&tag=db&status=online&page=4', fleet(3));
    await waitFor(() => expect(lastQuery().get('q')).toBe('web'));
    expect(lastQuery().get('tag')).toBe('db');
    expect(lastQuery().get('status')).toBe('online');
    expect(lastQuery().has('cursor')).toBe(false);
    expect(lastQuery().has('offset')).toBe(false);
    expect(screen.getByRole('textbox', { name: 'Search hosts' })).toHaveValue('web');
  });

  it('writes the search to the URL and starts again from the first page (no cursor)', async () => {
    const { lastQuery, router, user } = setup('/hosts?status=online', fleet(30));
    await screen.findByTestId('host-row-host-000');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByTestId('host-row-host-029');
    expect(lastQuery().get('cursor')).toBe('after-25');
    await user.type(screen.getByRole('textbox', { name: 'Search hosts' }), 'host-01');
    await waitFor(() => expect(lastQuery().get('q')).toBe('host-01'));
    expect(lastQuery().has('cursor')).toBe(false);
    expect(lastQuery().get('with_total')).toBe('true');
    const params = new URLSearchParams(router.state.location.search);
    expect(params.get('q')).toBe('host-01');
    expect(params.get('status')).toBe('online');
  });

  it('starts again from the first page when the status filter changes', async () => {
    const { lastQuery, router, user } = setup('/hosts', fleet(30));
    await screen.findByTestId('host-row-host-000');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByTestId('host-row-host-029');
    await user.click(screen.getByRole('combobox', { name: 'Filter by status' }));
    await user.click(await screen.findByRole('option', { name: 'Offline' }));
    await waitFor(() => expect(lastQuery().get('status')).toBe('offline'));
    expect(lastQuery().has('cursor')).toBe(false);
    expect(new URLSearchParams(router.state.location.search).get('status')).toBe('offline');
  });

  it('"Clear filters" empties the URL and the search box', async () => {
    const { router, user } = setup('/hosts?q=nothing&tag=db', []);
    const clear = await screen.findByRole('button', { name: 'Clear filters' });
    await user.click(clear);
    await waitFor(() => expect(router.state.location.search).toBe(''));
    expect(screen.getByRole('textbox', { name: 'Search hosts' })).toHaveValue('');
  });
});

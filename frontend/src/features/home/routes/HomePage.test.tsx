// Home fleet tiles come from the server's counts (with_total=true&limit=1 per status; a count the
// server stopped at shows as "10,000+") and the pending list, and each links to the matching
// filtered Hosts view.
import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { cursorList, fakeServer, json, makeHost, makeMe, makePendingHost, renderWithProviders } from '@/test/utils';
import { HomePage } from './HomePage';

/** The hosts endpoint counting `totals[status]` hosts (all of them without a status). */
function setup(totals: Record<string, number>, me = makeMe('viewer')) {
  const server = fakeServer({
    'GET /api/v1/hosts': (r) => {
      const status = new URL(r.url).searchParams.get('status') ?? 'all';
      const n = totals[status] ?? 0;
      return cursorList(n > 0 ? [makeHost()] : [], { total: n })(r);
    },
    'GET /api/v1/pending-hosts': () => json(200, { items: [makePendingHost()] }),
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<HomePage />, { me });
  return server;
}

describe('HomePage fleet tiles', () => {
  it('shows a user with host roles only their hosts\' counts, without the pending agents', async () => {
    const me = makeMe('none', { bindings: [{ role: 'viewer', tags: ['web'] }] });
    const server = setup({ all: 3, online: 2, offline: 1 }, me);
    expect(await screen.findByTestId('tile-total-value')).toHaveTextContent('3');
    expect(screen.queryByTestId('tile-pending')).not.toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/pending-hosts')).toHaveLength(0);
    const shortcuts = screen.getAllByRole('link').map((a) => a.getAttribute('aria-label'));
    expect(shortcuts).toEqual(expect.arrayContaining(['Hosts', 'Repositories', 'Profile']));
    expect(shortcuts).not.toContain('Users');
  });

  it('shows real counts and links to filtered views', async () => {
    const server = setup({ all: 7, online: 5, offline: 2 });

    expect(await screen.findByTestId('tile-total-value')).toHaveTextContent('7');
    expect(await screen.findByTestId('tile-online-value')).toHaveTextContent('5');
    expect(await screen.findByTestId('tile-offline-value')).toHaveTextContent('2');
    expect(await screen.findByTestId('tile-pending-value')).toHaveTextContent('1');
    expect(screen.getByTestId('tile-online')).toHaveAttribute('href', '/hosts?status=online');
    expect(screen.getByTestId('tile-offline')).toHaveAttribute('href', '/hosts?status=offline');
    expect(screen.getByTestId('tile-pending')).toHaveAttribute('href', '/hosts#pending');
    for (const r of server.calls('GET', '/api/v1/hosts')) {
      const query = new URL(r.url).searchParams;
      expect(query.get('limit')).toBe('1');
      expect(query.get('with_total')).toBe('true');
    }
    // The existing shortcuts stay.
    const shortcuts = screen.getAllByRole('link').map((a) => a.getAttribute('aria-label'));
    expect(shortcuts).toEqual(expect.arrayContaining(['Hosts', 'Repositories', 'Profile']));
    expect(within(screen.getByTestId('fleet-tiles')).getAllByRole('link')).toHaveLength(4);
  });

  it('shows a count the server stopped at as "10,000+"', async () => {
    setup({ all: 25_000, online: 10_001, offline: 10_000 });
    const capped = `${(10_000).toLocaleString()}+`;
    expect(await screen.findByTestId('tile-total-value')).toHaveTextContent(capped);
    expect(await screen.findByTestId('tile-online-value')).toHaveTextContent(capped);
    // Exactly 10,000 is a count, not a cap.
    expect((await screen.findByTestId('tile-offline-value')).textContent).toBe((10_000).toLocaleString());
    expect(screen.getByTestId('tile-total')).toHaveAccessibleName(`Hosts: ${capped}`);
  });
});

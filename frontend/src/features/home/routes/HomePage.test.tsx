// Home fleet tiles come from the server's totals (limit=1 per status) and the pending list,
// and each links to the matching filtered Hosts view.
import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, json, makeMe, makePendingHost, renderWithProviders } from '@/test/utils';
import { HomePage } from './HomePage';

describe('HomePage fleet tiles', () => {
  it('shows real counts and links to filtered views', async () => {
    const totals: Record<string, number> = { all: 7, online: 5, offline: 2 };
    const server = fakeServer({
      'GET /api/v1/hosts': (r) => {
        const status = new URL(r.url).searchParams.get('status') ?? 'all';
        return json(200, { items: [], total: totals[status] });
      },
      'GET /api/v1/pending-hosts': () => json(200, { items: [makePendingHost()] }),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<HomePage />, { me: makeMe('viewer') });

    expect(await screen.findByTestId('tile-total-value')).toHaveTextContent('7');
    expect(await screen.findByTestId('tile-online-value')).toHaveTextContent('5');
    expect(await screen.findByTestId('tile-offline-value')).toHaveTextContent('2');
    expect(await screen.findByTestId('tile-pending-value')).toHaveTextContent('1');
    expect(screen.getByTestId('tile-online')).toHaveAttribute('href', '/hosts?status=online');
    expect(screen.getByTestId('tile-offline')).toHaveAttribute('href', '/hosts?status=offline');
    expect(screen.getByTestId('tile-pending')).toHaveAttribute('href', '/hosts#pending');
    for (const r of server.calls('GET', '/api/v1/hosts')) expect(new URL(r.url).searchParams.get('limit')).toBe('1');
    // The existing shortcuts stay.
    const shortcuts = screen.getAllByRole('link').map((a) => a.getAttribute('aria-label'));
    expect(shortcuts).toEqual(expect.arrayContaining(['Hosts', 'Repositories', 'Profile']));
    expect(within(screen.getByTestId('fleet-tiles')).getAllByRole('link')).toHaveLength(4);
  });
});

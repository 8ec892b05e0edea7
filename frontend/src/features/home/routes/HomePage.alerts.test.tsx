// The home page's alerts tile: unresolved counts by severity from the summary, "No unresolved
// alerts" when there are none, an error it says out loud, always opening /alerts; not shown
// (nor read) without alerts_read.
import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { AlertSummary, Me } from '@/api/types';
import { makeAlertSummary } from '@/test/alerts';
import { cursorList, fakeServer, json, makeMe, renderWithProviders } from '@/test/utils';
import { HomePage } from './HomePage';

function setup(summary: AlertSummary | null, me: Me = makeMe('viewer')) {
  const server = fakeServer({
    'GET /api/v1/hosts': cursorList([]),
    'GET /api/v1/pending-hosts': () => json(200, { items: [] }),
    'GET /api/v1/jobs': cursorList([]),
    'GET /api/v1/alerts/summary': () =>
      summary ? json(200, summary) : json(500, { code: 'internal', message: 'The database is unavailable', details: {} }),
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<HomePage />, { me });
  return server;
}

describe('HomePage alerts tile', () => {
  it('counts unresolved alerts by severity and opens the alerts page', async () => {
    setup(makeAlertSummary({ open: 4, acknowledged: 2, critical: 1, error: 2, warning: 3, info: 0 }));
    const tile = await screen.findByTestId('home-alerts-tile');
    await within(tile).findByTestId('home-alerts-critical');
    expect(tile).toHaveAttribute('data-state', 'some');
    expect(tile).toHaveAttribute('href', '/alerts');
    expect(within(tile).getByTestId('home-alerts-critical')).toHaveTextContent('1Critical');
    expect(within(tile).getByTestId('home-alerts-error')).toHaveTextContent('2Error');
    expect(within(tile).getByTestId('home-alerts-warning')).toHaveTextContent('3Warning');
    expect(within(tile).getByTestId('home-alerts-info')).toHaveTextContent('0Info');
    expect(tile).toHaveTextContent('4 open · 2 acknowledged');
    expect(tile).toHaveAccessibleName('Alerts: 6 unresolved');
  });

  it('says when nothing is unresolved', async () => {
    setup(makeAlertSummary());
    expect(await screen.findByTestId('home-alerts-none')).toHaveTextContent('No unresolved alerts');
    expect(screen.getByTestId('home-alerts-tile')).toHaveAttribute('data-state', 'none');
  });

  it('says when the counts cannot be read', async () => {
    setup(null);
    const tile = await screen.findByTestId('home-alerts-tile');
    expect(await within(tile).findByText('The database is unavailable')).toBeInTheDocument();
    expect(tile).toHaveAttribute('data-state', 'error');
  });

  it('is not there for a role without alerts_read', async () => {
    const base = makeMe('viewer');
    const server = setup(makeAlertSummary(), {
      ...base,
      permissions: base.permissions.filter((p) => p !== 'alerts_read'),
      host_permissions: base.host_permissions.filter((p) => p !== 'alerts_read'),
    });
    await screen.findByTestId('drill-tile');
    expect(screen.queryByTestId('home-alerts-tile')).not.toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/alerts/summary')).toHaveLength(0);
  });
});

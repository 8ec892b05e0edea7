// The alerts page against a scripted server: unresolved alerts by default (state repeated in the
// query), rows with severity, host, count and state, filters written to the URL, Acknowledge as a
// POST whose answer shows at once, no actions for a viewer, and an empty state that says what it means.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Alert, Role } from '@/api/types';
import { ALERT_HOST_ID, ALERT_ID, makeAlert } from '@/test/alerts';
import { cursorList, fakeServer, json, makeHost, makeMe, renderWithProviders } from '@/test/utils';
import { AlertsPage } from './AlertsPage';

const second = makeAlert({
  id: '50000000-0000-4000-8000-000000000002',
  rule: 'agent_offline',
  subject_kind: 'host',
  severity: 'critical',
  state: 'acknowledged',
  title: 'web-01 is offline',
  count: 1,
  job_id: undefined,
  repository_id: undefined,
  snoozed_until: new Date(Date.now() + 3600_000).toISOString(),
});

function setup(role: Role, alerts: Alert[], route = '/alerts') {
  let stored = alerts;
  const server = fakeServer({
    'GET /api/v1/alerts': (r) => cursorList(stored)(r),
    'GET /api/v1/alerts/summary': () => json(200, { open: 1, acknowledged: 1, info: 0, warning: 0, error: 1, critical: 1 }),
    'GET /api/v1/hosts': cursorList([makeHost()]),
    [`POST /api/v1/alerts/${ALERT_ID}/acknowledge`]: () => {
      const acked = { ...alerts[0]!, state: 'acknowledged' as const, acknowledged_by: 'ada', acknowledged_at: new Date().toISOString() };
      stored = stored.map((a) => (a.id === acked.id ? acked : a));
      return json(200, acked);
    },
  });
  vi.stubGlobal('fetch', server.fetch);
  const rendered = renderWithProviders(null, { me: makeMe(role), route, routes: [{ path: '/alerts', element: <AlertsPage /> }] });
  const lastQuery = () => new URL(server.calls('GET', '/api/v1/alerts').at(-1)?.url ?? 'http://x/').searchParams;
  return { server, lastQuery, ...rendered };
}

describe('AlertsPage', () => {
  it('lists unresolved alerts with severity, host, count, times and state', async () => {
    const { lastQuery } = setup('operator', [makeAlert(), second]);
    const rows = await screen.findAllByTestId('alert-row');
    expect(rows).toHaveLength(2);
    expect(lastQuery().getAll('state')).toEqual(['open', 'acknowledged']);
    const [first, other] = rows as [HTMLElement, HTMLElement];
    expect(first).toHaveAttribute('data-state', 'open');
    expect(first).toHaveAttribute('data-severity', 'error');
    expect(within(first).getByRole('link', { name: 'Backup of web-01 to office-nas failed' })).toHaveAttribute('href', `/alerts/${ALERT_ID}`);
    expect(await within(first).findAllByRole('link', { name: 'web-01' })).not.toHaveLength(0);
    expect(within(first).getAllByRole('link', { name: 'web-01' })[0]).toHaveAttribute('href', `/hosts/${ALERT_HOST_ID}`);
    expect(within(first).getByTestId('alert-count')).toHaveTextContent('×3');
    expect(within(first).getAllByText('3 hours ago').length).toBeGreaterThan(0);
    expect(within(other).getByTestId('alert-snoozed')).toHaveTextContent('Snoozed until');
    expect(within(other).getAllByTestId('alert-state')[0]).toHaveTextContent('Acknowledged');
    expect(within(other).getByTestId('alert-severity')).toHaveTextContent('Critical');
    // Acknowledged already: no Acknowledge, but Resolve and Snooze.
    expect(within(other).queryByTestId('alert-ack')).not.toBeInTheDocument();
    expect(within(other).getByTestId('alert-resolve')).toBeInTheDocument();
    expect(within(other).getByTestId('alert-snooze')).toBeInTheDocument();
  });

  it('writes the chosen filters to the URL and asks for them', async () => {
    const { lastQuery, router } = setup('viewer', [makeAlert()]);
    await screen.findAllByTestId('alert-row');
    const user = userEvent.setup();
    await user.click(screen.getByRole('combobox', { name: 'State' }));
    await user.click(await screen.findByRole('option', { name: 'Resolved' }));
    await waitFor(() => expect(lastQuery().getAll('state')).toEqual(['resolved']));
    expect(new URLSearchParams(router.state.location.search).get('state')).toBe('resolved');

    await user.click(screen.getByRole('combobox', { name: 'Severity' }));
    await user.click(await screen.findByRole('option', { name: 'Critical' }));
    await waitFor(() => expect(lastQuery().getAll('severity')).toEqual(['critical']));
    expect(new URLSearchParams(router.state.location.search).getAll('severity')).toEqual(['critical']);
  });

  it('reads its filters from the URL', async () => {
    const { lastQuery } = setup('viewer', [], `/alerts?state=all&severity=error&severity=warning&rule=agent_offline&host_id=${ALERT_HOST_ID}`);
    await waitFor(() => expect(lastQuery().get('rule')).toBe('agent_offline'));
    const q = lastQuery();
    expect(q.has('state')).toBe(false);
    expect(q.getAll('severity')).toEqual(['warning', 'error']);
    expect(q.get('host_id')).toBe(ALERT_HOST_ID);
    expect(await screen.findByText('No alerts match these filters')).toBeInTheDocument();
  });

  it('acknowledges an alert with a POST and shows the answer', async () => {
    const { server } = setup('operator', [makeAlert()]);
    const row = await screen.findByTestId('alert-row');
    await userEvent.click(within(row).getByTestId('alert-ack'));
    await waitFor(() => expect(screen.getByTestId('alert-row')).toHaveAttribute('data-state', 'acknowledged'));
    expect(server.calls('POST', `/api/v1/alerts/${ALERT_ID}/acknowledge`)).toHaveLength(1);
    expect(within(screen.getByTestId('alert-row')).queryByTestId('alert-ack')).not.toBeInTheDocument();
    expect(await screen.findByText('Alert acknowledged.')).toBeInTheDocument();
  });

  it('shows a viewer no actions', async () => {
    setup('viewer', [makeAlert(), second]);
    await screen.findAllByTestId('alert-row');
    expect(screen.queryByTestId('alert-ack')).not.toBeInTheDocument();
    expect(screen.queryByTestId('alert-resolve')).not.toBeInTheDocument();
    expect(screen.queryByTestId('alert-snooze')).not.toBeInTheDocument();
  });

  it('says what an empty list means, with the rules for an admin', async () => {
    setup('admin', []);
    const empty = await screen.findByTestId('alerts-empty');
    expect(empty).toHaveTextContent('No unresolved alerts: every backup, check and agent is fine.');
    expect(within(empty).getByRole('link', { name: 'alert rules' })).toHaveAttribute('href', '/alerts/rules');
  });

  it('gives a viewer the same empty state without the rules link', async () => {
    setup('viewer', []);
    const empty = await screen.findByTestId('alerts-empty');
    expect(empty).toHaveTextContent('No unresolved alerts: every backup, check and agent is fine.');
    expect(within(empty).queryByRole('link', { name: 'alert rules' })).not.toBeInTheDocument();
  });

  it('links an admin to the notification channels', async () => {
    setup('admin', []);
    expect(await screen.findByTestId('alert-channels-link')).toHaveAttribute('href', '/alerts/channels');
  });

  it('hides the channels link from those who cannot configure alerts', async () => {
    setup('operator', []);
    await screen.findByTestId('alerts-empty');
    expect(screen.queryByTestId('alert-channels-link')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Rules/ })).toBeInTheDocument();
  });
});

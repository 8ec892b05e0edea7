// One alert against a scripted server: its subject links (the job at /jobs/{id}), message, the
// event timeline with "Cairn" for what the server did by itself and the person otherwise, the
// actions for an operator (a resolve is a POST) and none for a viewer.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { AlertDetail, Role } from '@/api/types';
import { ALERT_HOST_ID, ALERT_ID, ALERT_JOB_ID, ALERT_REPO_ID, makeAlert, makeAlertEvent, makeDelivery } from '@/test/alerts';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders } from '@/test/utils';
import { AlertDetailPage } from './AlertDetailPage';

const resolvedByCairn: AlertDetail = {
  alert: makeAlert({ state: 'resolved', resolved_at: new Date(Date.now() - 60_000).toISOString(), acknowledged_by: 'olga', acknowledged_at: new Date(Date.now() - 7200_000).toISOString() }),
  events: [
    makeAlertEvent({ kind: 'opened', details: { error_class: 'restic.locked' } }),
    makeAlertEvent({ kind: 'repeated', at: new Date(Date.now() - 2 * 3600_000).toISOString() }),
    makeAlertEvent({ kind: 'acknowledged', actor: 'olga', at: new Date(Date.now() - 7200_000).toISOString() }),
    makeAlertEvent({ kind: 'resolved', at: new Date(Date.now() - 60_000).toISOString() }),
  ],
};

function setup(role: Role, detail: AlertDetail) {
  const server = fakeServer({
    [`GET /api/v1/alerts/${ALERT_ID}`]: () => json(200, detail),
    [`GET /api/v1/hosts/${ALERT_HOST_ID}`]: () => json(200, makeHost()),
    [`GET /api/v1/repositories/${ALERT_REPO_ID}`]: () => json(200, makeRepository()),
    [`GET /api/v1/alerts/${ALERT_ID}/deliveries`]: () =>
      json(200, [
        makeDelivery(),
        makeDelivery({ id: '80000000-0000-4000-8000-000000000002', channel_name: 'pager hook', state: 'failed', attempts: 5, last_status: 502, last_error: 'Bad Gateway' }),
      ]),
    [`POST /api/v1/alerts/${ALERT_ID}/resolve`]: () => json(200, { ...detail.alert, state: 'resolved', resolved_by: 'ada', resolved_at: new Date().toISOString() }),
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, { me: makeMe(role), route: `/alerts/${ALERT_ID}`, routes: [{ path: '/alerts/:id', element: <AlertDetailPage /> }] });
  return server;
}

describe('AlertDetailPage', () => {
  it('shows the subject, the message and the timeline, with Cairn for automatic events', async () => {
    setup('viewer', resolvedByCairn);
    expect(await screen.findByRole('heading', { name: 'Backup of web-01 to office-nas failed' })).toBeInTheDocument();
    expect(screen.getByTestId('alert-message')).toHaveTextContent('repository is locked');
    expect(screen.getByTestId('alert-job')).toHaveAttribute('href', `/jobs/${ALERT_JOB_ID}`);
    expect(await screen.findByText('web-01')).toHaveAttribute('href', `/hosts/${ALERT_HOST_ID}`);
    expect(await screen.findByText('office-nas')).toHaveAttribute('href', `/repositories/${ALERT_REPO_ID}`);
    expect(screen.getByTestId('alert-facts')).toHaveTextContent('Cairn (the problem went away)');

    const events = within(screen.getByTestId('alert-events')).getAllByTestId('alert-event');
    expect(events.map((e) => e.getAttribute('data-kind'))).toEqual(['opened', 'repeated', 'acknowledged', 'resolved']);
    const actors = within(screen.getByTestId('alert-events')).getAllByTestId('alert-event-actor').map((a) => a.textContent);
    expect(actors).toEqual(['Cairn', 'Cairn', 'olga', 'Cairn']);
    // Details stay folded until asked for.
    await userEvent.click(within(events[0]!).getByRole('button', { name: 'Show details' }));
    await waitFor(() => expect(within(events[0]!).getByText(/restic\.locked/)).toBeVisible());
    // Resolved: nothing left to do.
    expect(screen.queryByTestId('alert-resolve')).not.toBeInTheDocument();
  });

  it('lets an operator resolve an open alert', async () => {
    const open: AlertDetail = { alert: makeAlert(), events: [makeAlertEvent()] };
    const server = setup('operator', open);
    await userEvent.click(await screen.findByTestId('alert-resolve'));
    await waitFor(() => expect(server.calls('POST', `/api/v1/alerts/${ALERT_ID}/resolve`)).toHaveLength(1));
    expect(await screen.findByText('Alert resolved.')).toBeInTheDocument();
  });

  it('shows a viewer no action buttons', async () => {
    setup('viewer', { alert: makeAlert(), events: [makeAlertEvent()] });
    await screen.findByTestId('alert-events');
    expect(screen.queryByTestId('alert-ack')).not.toBeInTheDocument();
    expect(screen.queryByTestId('alert-resolve')).not.toBeInTheDocument();
    expect(screen.queryByTestId('alert-snooze')).not.toBeInTheDocument();
  });

  it('snoozes for a chosen time', async () => {
    const server = fakeServer({
      [`GET /api/v1/alerts/${ALERT_ID}`]: () => json(200, { alert: makeAlert(), events: [makeAlertEvent()] }),
      [`POST /api/v1/alerts/${ALERT_ID}/snooze`]: async (r) => {
        const body = (await r.json()) as { until: string };
        return json(200, makeAlert({ snoozed_until: body.until }));
      },
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(null, { me: makeMe('operator'), route: `/alerts/${ALERT_ID}`, routes: [{ path: '/alerts/:id', element: <AlertDetailPage /> }] });
    const before = Date.now();
    await userEvent.click(await screen.findByTestId('alert-snooze'));
    await userEvent.click(await screen.findByRole('menuitem', { name: '4 hours' }));
    await waitFor(() => expect(server.calls('POST', `/api/v1/alerts/${ALERT_ID}/snooze`)).toHaveLength(1));
    const sent = (await server.calls('POST', `/api/v1/alerts/${ALERT_ID}/snooze`)[0]!.json()) as { until: string };
    const until = Date.parse(sent.until);
    expect(until).toBeGreaterThanOrEqual(before + 4 * 3600_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 4 * 3600_000 + 1000);
    expect(await screen.findByText(/Snoozed until/)).toBeInTheDocument();
  });

  it('lists the notifications sent about the alert, with their state and last answer', async () => {
    setup('viewer', resolvedByCairn);
    const section = await screen.findByTestId('alert-deliveries');
    const rows = await within(section).findAllByTestId('delivery-row');
    expect(rows.map((r) => r.getAttribute('data-state'))).toEqual(['delivered', 'failed']);
    expect(rows[0]).toHaveTextContent('ops mail');
    expect(rows[0]).toHaveTextContent('Delivered');
    expect(rows[1]).toHaveTextContent('pager hook');
    expect(rows[1]).toHaveTextContent('502 · Bad Gateway');
    expect(rows[1]).toHaveTextContent('5');
  });
});

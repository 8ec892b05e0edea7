// The notification channels against a scripted server: the empty state, a new webhook's secret
// shown once, a refused URL on the URL field, Send test's inline answer, an edit's PUT keeping or
// removing the write-only password, and a channel's delivery log.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Channel, ChannelTestResult } from '@/api/types';
import { CHANNEL_ID, makeChannel, makeDelivery } from '@/test/alerts';
import { cursorList, fakeServer, json, makeMe, renderWithProviders, type Handler } from '@/test/utils';
import { AlertChannelsPage } from './AlertChannelsPage';

const HOOK_ID = '70000000-0000-4000-8000-000000000002';
const hook = makeChannel({ id: HOOK_ID, name: 'pager hook', settings: { kind: 'webhook', url: 'https://hooks.example.org/cairn' } });

function setup(channels: Channel[], extra: Record<string, Handler> = {}) {
  const server = fakeServer({ 'GET /api/v1/channels': () => json(200, channels), ...extra });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, { me: makeMe('admin'), route: '/alerts/channels', routes: [{ path: '/alerts/channels', element: <AlertChannelsPage /> }] });
  return server;
}

async function bodyOf(request: Request | undefined): Promise<Record<string, unknown>> {
  return (await request!.json()) as Record<string, unknown>;
}

describe('AlertChannelsPage', () => {
  it('says alerts stay in Cairn while there is no channel', async () => {
    setup([]);
    const empty = await screen.findByTestId('channels-empty');
    expect(empty).toHaveTextContent('No channels yet: alerts are only shown in Cairn. Add an email, ntfy or webhook channel to be told.');
    expect(screen.getByTestId('channel-add')).toBeInTheDocument();
  });

  it('lists each channel with where it sends and how it is routed', async () => {
    setup([makeChannel({ min_severity: 'error', host_tag: 'prod', quiet: { from: '22:00', to: '07:00', zone: 'Europe/Berlin' } }), hook]);
    const rows = await screen.findAllByTestId('channel-row');
    expect(rows.map((r) => r.getAttribute('data-kind'))).toEqual(['email', 'webhook']);
    expect(rows[0]).toHaveTextContent('smtp.example.org:587 → ops@example.org');
    expect(rows[0]).toHaveTextContent('error and worse · rules: all · tag: prod · quiet 22:00–07:00 Europe/Berlin');
    expect(rows[1]).toHaveTextContent('https://hooks.example.org/cairn');
  });

  it('creates a webhook and shows its secret once', async () => {
    const server = setup([], {
      'POST /api/v1/channels': async (r) => {
        const body = await bodyOf(r);
        return json(201, { channel: makeChannel({ id: HOOK_ID, name: body.name as string, settings: body.settings as Channel['settings'] }), secret: 'whsec_s3cr3t' });
      },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('channel-add'));
    const form = await screen.findByTestId('channel-form');
    await user.type(within(form).getByRole('textbox', { name: /Name/ }), 'pager hook');
    await user.click(within(form).getByRole('radio', { name: 'Webhook' }));
    await user.type(within(form).getByRole('textbox', { name: /URL/ }), 'https://hooks.example.org/cairn');
    await user.click(within(form).getByTestId('channel-save'));

    const secret = await screen.findByTestId('channel-secret');
    expect(secret).toHaveValue('whsec_s3cr3t');
    expect(screen.getByText('Copy it now: it is not shown again')).toBeInTheDocument();
    const sent = await bodyOf(server.calls('POST', '/api/v1/channels')[0]);
    expect(sent).toMatchObject({ name: 'pager hook', settings: { kind: 'webhook', url: 'https://hooks.example.org/cairn' }, min_severity: 'warning', rules: [] });
    expect(sent).not.toHaveProperty('secret');

    await user.click(screen.getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByTestId('channel-secret')).not.toBeInTheDocument());
    expect(screen.queryByText('whsec_s3cr3t')).not.toBeInTheDocument();
  });

  it('puts a refused target on the URL field', async () => {
    setup([], {
      'POST /api/v1/channels': () =>
        json(400, { code: 'channel.forbidden_target', message: 'http://10.0.0.5/hook is a private address', details: { field: 'settings.url' } }),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('channel-add'));
    const form = await screen.findByTestId('channel-form');
    await user.type(within(form).getByRole('textbox', { name: /Name/ }), 'inside');
    await user.click(within(form).getByRole('radio', { name: 'Webhook' }));
    const url = within(form).getByRole('textbox', { name: /URL/ });
    await user.type(url, 'http://10.0.0.5/hook');
    await user.click(within(form).getByTestId('channel-save'));
    await waitFor(() => expect(url).toHaveAttribute('aria-invalid', 'true'));
    expect(within(form).getByText('http://10.0.0.5/hook is a private address')).toBeInTheDocument();
    expect(within(form).queryByText('Could not save the channel')).not.toBeInTheDocument();
  });

  it('shows what Send test did next to the button, delivered or not', async () => {
    let answer: ChannelTestResult = { delivered: true, status: 250, elapsed_ms: 312 };
    setup([makeChannel()], { [`POST /api/v1/channels/${CHANNEL_ID}/test`]: () => json(200, answer) });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('channel-test'));
    const ok = await screen.findByTestId('channel-test-result');
    expect(ok).toHaveAttribute('data-delivered', 'true');
    expect(ok).toHaveTextContent('Delivered in 312 ms (250)');

    answer = { delivered: false, status: 535, elapsed_ms: 90, error: 'The mail server refused the login: check the username and password' };
    await user.click(screen.getByTestId('channel-test'));
    await waitFor(() => expect(screen.getByTestId('channel-test-result')).toHaveAttribute('data-delivered', 'false'));
    expect(screen.getByTestId('channel-test-result')).toHaveTextContent('refused the login');
  });

  it('keeps the password on an edit unless Remove is checked', async () => {
    const server = setup([makeChannel()], {
      [`PUT /api/v1/channels/${CHANNEL_ID}`]: () => json(200, { channel: makeChannel() }),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit ops mail' }));
    let form = await screen.findByTestId('channel-form');
    const password = within(form).getByLabelText('Password');
    expect(password).toHaveAttribute('placeholder', 'unchanged');
    expect(within(form).getByRole('radio', { name: 'Email' })).toBeDisabled();
    await user.click(within(form).getByTestId('channel-save'));
    await waitFor(() => expect(server.calls('PUT', `/api/v1/channels/${CHANNEL_ID}`)).toHaveLength(1));
    const kept = await bodyOf(server.calls('PUT', `/api/v1/channels/${CHANNEL_ID}`)[0]);
    expect(kept).not.toHaveProperty('secret');
    expect(kept).toMatchObject({ name: 'ops mail', settings: { kind: 'email', host: 'smtp.example.org', port: 587, to: ['ops@example.org'] } });

    await waitFor(() => expect(screen.queryByTestId('channel-form')).not.toBeInTheDocument());
    await user.click(screen.getByRole('button', { name: 'Edit ops mail' }));
    form = await screen.findByTestId('channel-form');
    await user.click(within(form).getByRole('checkbox', { name: 'Remove the password' }));
    await user.click(within(form).getByTestId('channel-save'));
    await waitFor(() => expect(server.calls('PUT', `/api/v1/channels/${CHANNEL_ID}`)).toHaveLength(2));
    const removed = await bodyOf(server.calls('PUT', `/api/v1/channels/${CHANNEL_ID}`)[1]);
    expect(removed.secret).toBeNull();
  });

  it('opens a channel’s delivery log with Load more', async () => {
    const deliveries = Array.from({ length: 30 }, (_, i) => makeDelivery({ id: `80000000-0000-4000-8000-${String(i).padStart(12, '0')}`, state: i === 0 ? 'failed' : 'delivered' }));
    setup([makeChannel()], { [`GET /api/v1/channels/${CHANNEL_ID}/deliveries`]: cursorList(deliveries) });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delivery log' }));
    const log = await screen.findByTestId('channel-deliveries');
    expect(await within(log).findAllByTestId('delivery-row')).toHaveLength(25);
    expect(within(log).getAllByTestId('delivery-row')[0]).toHaveAttribute('data-state', 'failed');
    await user.click(within(log).getByRole('button', { name: /Load more/ }));
    await waitFor(() => expect(within(log).getAllByTestId('delivery-row')).toHaveLength(30));
  });
});

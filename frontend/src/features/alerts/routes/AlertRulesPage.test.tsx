// The alert rules against a scripted server: an admin's save sends the whole rule (on/off,
// severity, thresholds, tag) as a PUT and a refused threshold shows under the form's thresholds;
// a viewer reads the rules without a Save.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { AlertRule, Role } from '@/api/types';
import { makeAlertRule } from '@/test/alerts';
import { fakeServer, json, makeMe, renderWithProviders } from '@/test/utils';
import { AlertRulesPage } from './AlertRulesPage';

const backupFailed = makeAlertRule({
  rule: 'backup_failed',
  description: 'A backup fails; at `escalate_after` failures in a row it becomes critical.',
  params: { escalate_after: 3 },
  thresholds: [{ name: 'escalate_after', default: 3, min: 2, max: 100 }],
});

function setup(role: Role, put: (body: unknown) => Response) {
  const rules: AlertRule[] = [backupFailed, makeAlertRule()];
  const server = fakeServer({
    'GET /api/v1/alert-rules': () => json(200, rules),
    'PUT /api/v1/alert-rules/agent_offline': async (r) => put(await r.json()),
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, { me: makeMe(role), route: '/alerts/rules', routes: [{ path: '/alerts/rules', element: <AlertRulesPage /> }] });
  return server;
}

describe('AlertRulesPage', () => {
  it('saves one rule with a PUT of its settings', async () => {
    const server = setup('admin', (body) => json(200, { ...makeAlertRule(), ...(body as object), customised: true }));
    const form = await screen.findByTestId('rules-form-agent_offline');
    expect(within(form).getByText('From 2 to 10,080 (default 15)')).toBeInTheDocument();
    const user = userEvent.setup();
    const minutes = within(form).getByRole('textbox', { name: 'Minutes' });
    await user.clear(minutes);
    await user.type(minutes, '30');
    await user.click(within(form).getByRole('switch', { name: 'Enabled' }));
    await user.type(within(form).getByRole('textbox', { name: 'Only hosts tagged' }), 'prod');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.calls('PUT', '/api/v1/alert-rules/agent_offline')).toHaveLength(1));
    const body: unknown = await server.calls('PUT', '/api/v1/alert-rules/agent_offline')[0]!.json();
    expect(body).toEqual({ enabled: false, severity: 'error', params: { minutes: 30 }, host_tag: 'prod' });
    expect(await within(form).findByText('customised')).toBeInTheDocument();
  });

  it('shows a refused threshold under the thresholds, and a refused tag under the tag', async () => {
    let field = 'params';
    setup('admin', () =>
      json(400, { code: 'alert_rule.invalid', message: field === 'params' ? 'minutes must be at most 10080' : 'not a tag', details: { field } }),
    );
    const form = await screen.findByTestId('rules-form-agent_offline');
    const user = userEvent.setup();
    await user.click(within(form).getByRole('switch', { name: 'Enabled' }));
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByTestId('rule-params-error')).toHaveTextContent('minutes must be at most 10080');
    expect(within(form).getByRole('textbox', { name: 'Minutes' })).toHaveAttribute('aria-invalid', 'true');

    field = 'host_tag';
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    const tag = within(form).getByRole('textbox', { name: 'Only hosts tagged' });
    await waitFor(() => expect(tag).toHaveAttribute('aria-invalid', 'true'));
    expect(within(form).getByText('not a tag')).toBeInTheDocument();
  });

  it('checks a threshold against its range before sending', async () => {
    const server = setup('admin', () => json(200, makeAlertRule()));
    const form = await screen.findByTestId('rules-form-backup_failed');
    const user = userEvent.setup();
    const box = within(form).getByRole('textbox', { name: 'Escalate after (failures in a row)' });
    await user.clear(box);
    await user.type(box, '1');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByTestId('rule-params-error')).toHaveTextContent('Escalate after (failures in a row): from 2 to 100');
    expect(server.calls('PUT', '/api/v1/alert-rules/backup_failed')).toHaveLength(0);
  });

  it('shows a viewer the rules without a way to change them', async () => {
    setup('viewer', () => json(200, makeAlertRule()));
    const form = await screen.findByTestId('rules-form-agent_offline');
    expect(within(form).queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
    expect(within(form).getByRole('switch', { name: 'Enabled' })).toBeDisabled();
  });
});

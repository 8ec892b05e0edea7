// Creating an API token shows its secret once in a modal with a working copy button; after
// closing, the secret is gone from the page and the list shows only the prefix.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ApiToken } from '@/api/types';
import { fakeServer, json, makeMe, renderWithProviders } from '@/test/utils';
import { assignableRoles } from './CreateTokenForm';
import { TokensSection } from './TokensSection';

const SECRET = 'cairn_pat_4f8e2d_THIS-IS-THE-SECRET';

describe('TokensSection', () => {
  it('only offers roles up to the owner’s own', () => {
    expect(assignableRoles('operator')).toEqual(['operator', 'viewer']);
    expect(assignableRoles('viewer')).toEqual(['viewer']);
  });

  it('shows the new secret once, copies it, and forgets it on close', async () => {
    const tokens: ApiToken[] = [];
    const server = fakeServer({
      'GET /api/v1/auth/tokens': () => json(200, { items: tokens }),
      'POST /api/v1/auth/tokens': async (r) => {
        const body = (await r.json()) as { name: string; role?: ApiToken['role']; expires_in_days?: number };
        const token: ApiToken = {
          id: 't1',
          name: body.name,
          prefix: 'cairn_pat_4f8e2d',
          role: body.role ?? 'admin',
          created_at: '2025-02-01T09:00:00Z',
          expires_at: '2025-05-02T09:00:00Z',
        };
        tokens.push(token);
        return json(201, { token, secret: SECRET });
      },
    });
    vi.stubGlobal('fetch', server.fetch);
    Object.defineProperty(window, 'isSecureContext', { value: true, configurable: true });

    renderWithProviders(<TokensSection ownRole="operator" />, { me: makeMe('operator') });
    expect(await screen.findByTestId('tokens-empty')).toHaveTextContent('No API tokens yet');

    // user-event installs a fake clipboard on navigator.clipboard; read it back after copying.
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'New token' }));
    await user.type(screen.getByLabelText('Name'), 'nightly report');
    await user.click(screen.getByRole('button', { name: 'Create token' }));

    const secretInput = await screen.findByTestId('token-secret');
    expect(secretInput).toHaveValue(SECRET);
    const modal = screen.getByRole('dialog', { name: 'Your new API token' });
    expect(modal).toHaveTextContent('You will not see it again');

    const sent = (await server.calls('POST', '/api/v1/auth/tokens')[0]?.json()) as Record<string, unknown>;
    expect(sent).toEqual({ name: 'nightly report', role: 'operator', expires_in_days: 90 });

    await user.click(within(modal).getByRole('button', { name: 'Copy token' }));
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    expect(await within(modal).findByRole('button', { name: 'Copied' })).toBeInTheDocument();

    await user.click(within(modal).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByTestId('token-secret')).not.toBeInTheDocument());
    const table = await screen.findByTestId('tokens-table');
    expect(table).toHaveTextContent('nightly report');
    expect(table).toHaveTextContent('cairn_pat_4f8e2d…');
    expect(document.body.innerHTML).not.toContain(SECRET);
  });
});

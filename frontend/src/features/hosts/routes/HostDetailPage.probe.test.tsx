// The host page's repository access test against a scripted server: "Test" on a linked
// repository shows "Testing…" while the agent opens it, then what it answered (reachable, not
// openable) or the API's refusal (504 agent.no_answer, 409 host.offline); viewers get no
// Test button.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { RepositoryProbeResult, Role } from '@/api/types';
import { cursorList, fakeServer, type Handler, json, hostSeenBy, makeHost, makeMe, makeRepository, renderWithProviders } from '@/test/utils';
import { HostDetailPage } from './HostDetailPage';

const repo = makeRepository();
const host = makeHost({ repository_ids: [repo.id] });
const probePath = `/api/v1/hosts/${host.id}/repositories/${repo.id}/probe`;
const RESTIC_ID = '3f2a9c1b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8';

function probeResult(overrides: Partial<RepositoryProbeResult> = {}): RepositoryProbeResult {
  return {
    host_id: host.id,
    repository_id: repo.id,
    reachable: true,
    restic_repository_id: RESTIC_ID,
    format_version: 2,
    restic_version: '0.17.3',
    open_ms: 420,
    round_trip_ms: 610,
    checked_at: '2025-03-01T10:05:03Z',
    ...overrides,
  };
}

function setup(role: Role, probe: Handler) {
  const server = fakeServer({
    [`GET /api/v1/hosts/${host.id}`]: () => json(200, hostSeenBy(makeMe(role), host)),
    'GET /api/v1/hosts': cursorList([host]),
    'GET /api/v1/repositories': () => json(200, { items: [repo] }),
    'GET /api/v1/jobs': cursorList([]),
    [`POST ${probePath}`]: probe,
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(null, {
    me: makeMe(role),
    route: `/hosts/${host.id}`,
    routes: [{ path: '/hosts/:id', element: <HostDetailPage /> }],
  });
  return server;
}

/** The linked repository's row, once the repositories list has named it. */
async function probeRow() {
  const button = await screen.findByRole('button', { name: `Test ${repo.name}` });
  const row = button.closest<HTMLElement>('[data-testid="repository-probe"]');
  if (!row) throw new Error('no repository-probe row around the Test button');
  return { button, row };
}

describe('HostDetailPage repository test', () => {
  it('shows "Testing…" while the agent answers, then the repository it opened', async () => {
    let answer: (r: Response) => void = () => undefined;
    const server = setup('operator', () => new Promise<Response>((resolve) => (answer = resolve)));
    const { button, row } = await probeRow();
    expect(row).toHaveAttribute('data-repository-id', repo.id);

    // Keyboard: focus the button and press Enter.
    const user = userEvent.setup();
    button.focus();
    await user.keyboard('{Enter}');
    expect(await within(row).findByRole('button', { name: `Testing… ${repo.name}` })).toHaveFocus();
    expect(row).toHaveAttribute('data-state', 'testing');
    expect(within(row).getByText(/this can take a few seconds/)).toBeInTheDocument();
    // A second press while it runs sends nothing more.
    await user.keyboard('{Enter}');
    expect(server.calls('POST', probePath)).toHaveLength(1);

    answer(json(200, probeResult()));
    const ok = await within(row).findByTestId('repository-probe-ok');
    expect(ok).toHaveTextContent('Reachable · repository 3f2a9c1b (format 2) · opened in 420 ms from this host');
    expect(ok).toHaveTextContent('restic 0.17.3 · round trip 610 ms');
    expect(within(ok).getByTestId('repository-probe-id')).toHaveAttribute('title', RESTIC_ID);
    expect(row).toHaveAttribute('data-state', 'reachable');
    expect(within(row).queryByRole('alert')).not.toBeInTheDocument();
    expect(within(row).getByRole('button', { name: `Test ${repo.name}` })).toBeInTheDocument();
  });

  it('shows restic’s message and error class when the host could not open it', async () => {
    setup(
      'admin',
      () =>
        json(
          200,
          probeResult({
            reachable: false,
            restic_repository_id: undefined,
            format_version: undefined,
            open_ms: undefined,
            error_class: 'restic.wrong_password',
            message: 'wrong password or no key found',
          }),
        ),
    );
    const { button, row } = await probeRow();
    await userEvent.setup().click(button);
    const alert = await within(row).findByRole('alert');
    expect(alert).toHaveAttribute('data-testid', 'repository-probe-failed');
    expect(alert).toHaveAttribute('data-error-class', 'restic.wrong_password');
    expect(alert).toHaveTextContent(`This host could not open ${repo.name}`);
    expect(alert).toHaveTextContent('wrong password or no key found');
    expect(alert).toHaveTextContent('Check the repository’s password under Repositories.');
    expect(alert).toHaveTextContent('restic.wrong_password');
    expect(row).toHaveAttribute('data-state', 'unreachable');
    expect(within(row).queryByTestId('repository-probe-ok')).not.toBeInTheDocument();
  });

  it.each([
    [504, 'agent.no_answer', 'The agent on web-01 did not answer within 20 s.'],
    [409, 'host.offline', 'web-01 is offline: its agent cannot be asked.'],
  ])('shows the API’s message and code when there is no answer (%i %s)', async (status, code, message) => {
    setup('operator', () => json(status, { code, message, details: {} }));
    const { button, row } = await probeRow();
    await userEvent.setup().click(button);
    const alert = await within(row).findByRole('alert');
    expect(alert).toHaveTextContent(`Could not test ${repo.name}`);
    expect(alert).toHaveTextContent(message);
    expect(alert).toHaveTextContent(code);
    expect(row).toHaveAttribute('data-state', 'error');
    expect(within(row).queryByTestId('repository-probe-ok')).not.toBeInTheDocument();
  });

  it('offers a viewer no Test button', async () => {
    const server = setup('viewer', () => json(200, probeResult()));
    await screen.findByTestId('host-facts');
    expect(await screen.findByText(repo.name)).toBeInTheDocument();
    expect(screen.queryByTestId('repository-probes')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Test / })).not.toBeInTheDocument();
    expect(server.calls('POST', probePath)).toHaveLength(0);
  });
});

// The host's default hooks on the Schedules tab against a scripted server: hidden from (and
// never asked for) anyone but admins, folded with what is set, the warning and the slot rule,
// the PUT body (whole; `{}` removes), and the server's refusal on the hook it names.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { BackupHooks, Role } from '@/api/types';
import { HOST_ID, REPO_ID } from '@/test/jobs';
import { makeScheduleList } from '@/test/schedules';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { HostHooksPanel } from './HostHooksPanel';
import { SchedulesSection } from './SchedulesSection';

const host = makeHost({ id: HOST_ID, repository_ids: [REPO_ID] });
const HOOKS = `/api/v1/hosts/${HOST_ID}/hooks`;
const pre = { command: 'pg_dump -Fc app > /var/backups/app.dump', timeout_secs: 600 };

function server(stored: BackupHooks, put?: Handler) {
  let current = stored;
  return fakeServer({
    [`GET ${HOOKS}`]: () => json(200, current),
    [`PUT ${HOOKS}`]:
      put ??
      (async (r) => {
        current = (await r.json()) as BackupHooks;
        return json(200, current);
      }),
    [`GET /api/v1/hosts/${HOST_ID}/schedules`]: () => json(200, makeScheduleList([])),
  });
}

function setup(stored: BackupHooks, { put }: { put?: Handler } = {}) {
  const s = server(stored, put);
  vi.stubGlobal('fetch', s.fetch);
  renderWithProviders(<HostHooksPanel host={host} />, { me: makeMe('admin') });
  return { server: s, user: userEvent.setup() };
}

async function open(user: ReturnType<typeof userEvent.setup>) {
  const toggle = await screen.findByRole('button', { name: /Default hooks for every schedule of this host/ });
  expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await user.click(toggle);
  expect(toggle).toHaveAttribute('aria-expanded', 'true');
  return screen.findByRole('form', { name: 'Default hooks of web-01' });
}

const puts = (s: ReturnType<typeof server>) => Promise.all(s.calls('PUT', HOOKS).map((r) => r.json()));
const field = (form: HTMLElement, label: string) => within(form).getByLabelText(new RegExp(`^${label}`), { selector: 'input, textarea' });

describe('HostHooksPanel', () => {
  it.each<Role>(['operator', 'viewer'])('is not shown to an %s, and the hooks are never asked for', async (role) => {
    const s = server({ pre });
    vi.stubGlobal('fetch', s.fetch);
    renderWithProviders(<SchedulesSection host={host} repositories={[makeRepository()]} />, { me: makeMe(role) });
    expect(await screen.findByTestId('schedules-empty')).toBeInTheDocument();
    expect(screen.queryByTestId('host-hooks-panel')).not.toBeInTheDocument();
    expect(screen.queryByText(/Default hooks/)).not.toBeInTheDocument();
    expect(s.calls('GET', HOOKS)).toHaveLength(0);
  });

  it('sits on an admin’s Schedules tab, folded, saying what is set', async () => {
    const s = server({ pre });
    vi.stubGlobal('fetch', s.fetch);
    renderWithProviders(<SchedulesSection host={host} repositories={[makeRepository()]} />, { me: makeMe('admin') });
    const panel = await screen.findByTestId('host-hooks-panel');
    await waitFor(() => expect(within(panel).getByTestId('host-hooks-summary')).toHaveTextContent('A pre-hook'));
    expect(within(panel).getByTestId('host-hooks-toggle')).toHaveAttribute('aria-expanded', 'false');
  });

  it('shows the stored hooks under the warning and the slot rule, and saves them whole with PUT', async () => {
    const { server: s, user } = setup({ pre });
    const form = await open(user);
    expect(within(form).getByTestId('hooks-warning')).toHaveTextContent('as the agent’s user (often root)');
    expect(form).toHaveTextContent('A schedule’s own pre or post hook replaces the default of that slot.');
    expect(field(form, 'Pre-hook command')).toHaveValue(pre.command);
    expect(field(form, 'Pre-hook timeout')).toHaveValue('600');
    expect(field(form, 'Post-hook command')).toHaveValue('');

    fireEvent.change(field(form, 'Post-hook command'), { target: { value: 'curl -fsS https://hc.example/ping' } });
    // Ctrl+Enter sends it from the text area (plain Enter is a new line there).
    fireEvent.keyDown(field(form, 'Post-hook command'), { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(s.calls('PUT', HOOKS)).toHaveLength(1));
    expect(await puts(s)).toEqual([{ pre, post: { command: 'curl -fsS https://hc.example/ping', timeout_secs: 300 } }]);
    expect(await screen.findByText(/Default hooks saved; web-01’s agent runs them from its next configuration/)).toBeInTheDocument();
    expect(screen.getByTestId('host-hooks-summary')).toHaveTextContent('A pre-hook and a post-hook');
  });

  it('removes them with an empty body', async () => {
    const { server: s, user } = setup({ pre });
    const form = await open(user);
    await user.click(within(form).getByRole('button', { name: 'Remove default hooks' }));
    await waitFor(() => expect(s.calls('PUT', HOOKS)).toHaveLength(1));
    expect(await puts(s)).toEqual([{}]);
    expect(await screen.findByText('web-01 has no default hooks now.')).toBeInTheDocument();
    expect(field(form, 'Pre-hook command')).toHaveValue('');
    expect(screen.getByTestId('host-hooks-summary')).toHaveTextContent('None');
    expect(within(form).queryByRole('button', { name: 'Remove default hooks' })).not.toBeInTheDocument();
  });

  it('sets the first hooks of a host that has none', async () => {
    const { server: s, user } = setup({});
    await waitFor(() => expect(screen.getByTestId('host-hooks-summary')).toHaveTextContent('None'));
    const form = await open(user);
    fireEvent.change(field(form, 'Pre-hook command'), { target: { value: 'sync' } });
    fireEvent.change(field(form, 'Pre-hook timeout'), { target: { value: '30' } });
    await user.click(within(form).getByRole('button', { name: 'Save default hooks' }));
    await waitFor(() => expect(s.calls('PUT', HOOKS)).toHaveLength(1));
    expect(await puts(s)).toEqual([{ pre: { command: 'sync', timeout_secs: 30 } }]);
  });

  it.each([
    ['hooks.pre', 'Pre-hook command'],
    ['hooks.post', 'Post-hook command'],
  ])('puts the server’s refusal of %s on the %s field', async (name, label) => {
    const message = 'A hook command must not be empty or longer than 4,096 characters.';
    const { user } = setup(
      { pre, post: { command: 'true', timeout_secs: 5 } },
      { put: () => json(400, { code: 'schedule.invalid_hook', message, details: { field: name } }) },
    );
    const form = await open(user);
    await user.click(within(form).getByRole('button', { name: 'Save default hooks' }));
    const input = field(form, label);
    await waitFor(() => expect(input).toHaveAttribute('aria-invalid', 'true'));
    expect(input).toHaveAccessibleDescription(expect.stringContaining(message));
    await waitFor(() => expect(input).toHaveFocus());
    expect(within(form).queryByText('Could not save the default hooks')).not.toBeInTheDocument();
  });

  it('refuses a hook without a timeout before sending', async () => {
    const { server: s, user } = setup({ pre });
    const form = await open(user);
    fireEvent.change(field(form, 'Pre-hook timeout'), { target: { value: '' } });
    await user.click(within(form).getByRole('button', { name: 'Save default hooks' }));
    await waitFor(() => expect(field(form, 'Pre-hook timeout')).toHaveAttribute('aria-invalid', 'true'));
    expect(s.calls('PUT', HOOKS)).toHaveLength(0);
  });
});

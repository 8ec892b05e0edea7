// The host's repository links against a scripted server: unlinking a repository the host's
// schedules back up to is refused (409 host.repository_has_schedules), and the person sees the
// server's message, the schedules it names and the way to them; another refusal keeps the
// plain error alert.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { HostRepositoriesEditor } from './HostEditors';

const repo = makeRepository();
const host = makeHost({ repository_ids: [repo.id] });
const PUT = `/api/v1/hosts/${host.id}/repositories`;

function setup(answer: Handler) {
  const server = fakeServer({ [`PUT ${PUT}`]: answer });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<HostRepositoriesEditor host={host} repositories={[repo]} canManage loading={false} />, { me: makeMe('operator') });
  return { server, user: userEvent.setup() };
}

/** Takes the only linked repository out (Backspace in the picker removes the last one), then saves. */
async function unlink(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole('combobox', { name: 'Linked repositories' }));
  await user.keyboard('{Backspace}');
  await user.click(screen.getByRole('button', { name: 'Save repositories' }));
}

describe('HostRepositoriesEditor', () => {
  it('says which schedules keep a repository linked when unlinking it is refused', async () => {
    const message = 'Schedule(s) nightly, weekly back up to a repository you are unlinking; delete them or point them at another repository first.';
    const { server, user } = setup(() => json(409, { code: 'host.repository_has_schedules', message, details: { schedules: ['nightly', 'weekly'] } }));
    await unlink(user);
    const alert = await screen.findByTestId('unlink-refused');
    expect(alert).toHaveAttribute('role', 'alert');
    expect(alert).toHaveTextContent(message);
    expect(within(within(alert).getByTestId('unlink-schedules')).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['nightly', 'weekly']);
    expect(within(alert).getByRole('link', { name: 'Open web-01’s schedules' })).toHaveAttribute('href', `/hosts/${host.id}?tab=schedules`);
    expect(await server.calls('PUT', PUT)[0]!.json()).toEqual({ repository_ids: [] });
  });

  it('shows any other refusal in the plain error alert', async () => {
    const { user } = setup(() => json(400, { code: 'host.unknown_repository', message: 'Repository 3000 does not exist.', details: {} }));
    await unlink(user);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not save the repository links');
    expect(alert).toHaveTextContent('Repository 3000 does not exist.');
    await waitFor(() => expect(screen.queryByTestId('unlink-refused')).not.toBeInTheDocument());
  });
});

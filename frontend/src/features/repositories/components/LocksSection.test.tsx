// The repository's locks against a scripted server: read only on "Check locks" (never on its
// own), "Not locked" with who read it, the table (a host and a job linked when known, the
// exclusive/shared and stale badges, the hint to Unlock), and the server's refusals in its words.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { RepositoryLocks } from '@/api/types';
import { HOST_ID, JOB_ID, REPO_ID } from '@/test/jobs';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { LocksSection } from './LocksSection';


const PATH = `/api/v1/repositories/${REPO_ID}/locks`;
const OTHER_ID = '10000000-0000-4000-8000-000000000002';
const web = makeHost({ id: HOST_ID, hostname: 'web-01', repository_ids: [REPO_ID] });
const db = makeHost({ id: OTHER_ID, hostname: 'db-02', repository_ids: [REPO_ID] });

const answer = (locks: RepositoryLocks['locks']): RepositoryLocks => ({
  via_host_id: HOST_ID,
  via_hostname: 'web-01',
  checked_at: '2025-03-01T10:00:00Z',
  locks,
});

function setup(handler: Handler, { hosts = [web], onUnlock = vi.fn() }: { hosts?: ReturnType<typeof makeHost>[]; onUnlock?: () => void } = {}) {
  const server = fakeServer({ [`GET ${PATH}`]: handler });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<LocksSection repository={makeRepository({ id: REPO_ID })} hosts={hosts} onUnlock={onUnlock} />, { me: makeMe('operator') });
  return { server, user: userEvent.setup(), onUnlock };
}

describe('LocksSection', () => {
  it('asks nothing until "Check locks", then says the repository is not locked and who read it', async () => {
    let release: () => void = () => undefined;
    const { server, user } = setup(
      () =>
        new Promise<Response>((resolve) => {
          release = () => resolve(json(200, answer([])));
        }),
    );
    expect(screen.getByTestId('locks-idle')).toHaveTextContent('Not read yet.');
    await new Promise((r) => setTimeout(r, 50));
    expect(server.calls('GET', PATH)).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Check locks' }));
    // The agent takes its time: a loader says so.
    expect(await screen.findByTestId('locks-loading')).toHaveTextContent('Asking the agent to list the locks…');
    release();
    const none = await screen.findByTestId('locks-none');
    expect(none).toHaveTextContent(/^Not locked \(read through web-01 at .*2025.*\)\.$/);
    expect(within(none).getByRole('link', { name: 'web-01' })).toHaveAttribute('href', `/hosts/${HOST_ID}`);
    expect(screen.queryByTestId('locks-loading')).not.toBeInTheDocument();
    // No query string: the server picks the first online linked host.
    expect(server.calls('GET', PATH).map((r) => new URL(r.url).search)).toEqual(['']);
  });

  it('lists each lock with its host and job linked when known, its mode, and the stale badge with the way to Unlock', async () => {
    const { user, onUnlock } = setup(() =>
      json(
        200,
        answer([
          { hostname: 'web-01', pid: 4242, username: 'root', exclusive: false, since: '2025-03-01T09:00:00Z', stale: true, host_id: HOST_ID },
          { hostname: 'laptop', pid: 77, username: 'ada', exclusive: true, since: '2025-03-01T09:58:00Z', stale: false, host_id: OTHER_ID, job_id: JOB_ID },
          { hostname: 'unknown-box', pid: 9, username: 'bob', exclusive: false, since: '2025-03-01T09:59:00Z', stale: false },
        ]),
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Check locks' }));
    const table = await screen.findByTestId('locks-table');
    expect(screen.getByTestId('locks-summary')).toHaveTextContent('3 locks, oldest first (read through web-01 at');
    const [stale, live, unknown] = within(table).getAllByTestId('lock-row') as [HTMLElement, HTMLElement, HTMLElement];

    expect(within(stale).getByRole('link', { name: 'web-01' })).toHaveAttribute('href', `/hosts/${HOST_ID}`);
    expect(stale).toHaveTextContent('4242');
    expect(stale).toHaveTextContent('root');
    expect(within(stale).getByTestId('lock-mode')).toHaveTextContent('shared');
    expect(within(stale).getByTestId('lock-stale')).toHaveTextContent('stale: Unlock removes it');
    expect(within(stale).queryByTestId('lock-job-link')).not.toBeInTheDocument();

    expect(within(live).getByTestId('lock-mode')).toHaveTextContent('exclusive');
    expect(within(live).queryByTestId('lock-stale')).not.toBeInTheDocument();
    expect(within(live).getByRole('link', { name: 'laptop' })).toHaveAttribute('href', `/hosts/${OTHER_ID}`);
    expect(within(live).getByTestId('lock-job-link')).toHaveAttribute('href', `/jobs/${JOB_ID}`);

    // A host Cairn does not know: its name, no link.
    expect(within(unknown).queryByRole('link')).not.toBeInTheDocument();
    expect(unknown).toHaveTextContent('unknown-box');

    const hint = screen.getByTestId('locks-stale-hint');
    expect(hint).toHaveTextContent('A stale lock (older than 30 minutes, or whose process is gone) can block backups');
    await user.click(within(hint).getByRole('button', { name: 'Unlock…' }));
    expect(onUnlock).toHaveBeenCalledTimes(1);
  });

  it('shows no Unlock hint when every lock is live', async () => {
    const { user } = setup(() => json(200, answer([{ hostname: 'web-01', pid: 1, username: 'root', exclusive: true, since: '2025-03-01T09:59:00Z', stale: false }])));
    await user.click(screen.getByRole('button', { name: 'Check locks' }));
    expect(await screen.findByTestId('locks-table')).toBeInTheDocument();
    expect(screen.getByTestId('locks-summary')).toHaveTextContent(/^1 lock,/);
    expect(screen.queryByTestId('locks-stale-hint')).not.toBeInTheDocument();
  });

  it.each([
    [409, 'repository.no_online_host', 'No host linked to office-nas is online to read its locks.', {}],
    [409, 'repository.locks_failed', 'restic could not list the locks: wrong password.', { error_class: 'wrong_password' }],
    [504, 'agent.no_answer', 'web-01’s agent did not answer within 20 seconds.', {}],
  ])('shows the server’s message for %i %s, and may ask again', async (status, code, message, details) => {
    let calls = 0;
    const { server, user } = setup(() => {
      calls += 1;
      return calls === 1 ? json(status, { code, message, details }) : json(200, answer([]));
    });
    await user.click(screen.getByRole('button', { name: 'Check locks' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not read the locks');
    expect(alert).toHaveTextContent(message);
    expect(alert).toHaveTextContent(code);
    await user.click(screen.getByRole('button', { name: 'Check locks' }));
    expect(await screen.findByTestId('locks-none')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(server.calls('GET', PATH)).toHaveLength(2);
  });

  it('reads through the chosen host when several are online', async () => {
    const { server, user } = setup(() => json(200, answer([])), { hosts: [web, db] });
    await user.click(screen.getByRole('combobox', { name: 'Read through' }));
    await user.click(await screen.findByRole('option', { name: 'db-02' }));
    await user.click(screen.getByRole('button', { name: 'Check locks' }));
    await screen.findByTestId('locks-none');
    expect(new URL(server.calls('GET', PATH)[0]!.url).searchParams.get('host_id')).toBe(OTHER_ID);
  });

  it('says to link a host first when none is', () => {
    setup(() => json(200, answer([])), { hosts: [] });
    expect(screen.getByRole('button', { name: 'Check locks' })).toBeDisabled();
    expect(screen.getByTestId('locks-idle')).toHaveTextContent('link a host to this repository first');
  });
});

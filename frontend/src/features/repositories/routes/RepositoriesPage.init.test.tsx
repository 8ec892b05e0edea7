// "Initialize…" on the repositories page against a scripted server: offered only to roles that
// may (repos_manage: the server's init_repository gate), only online linked hosts can run it, the
// request names the chosen host, a refusal's message is shown, and success opens the job.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Host, Role } from '@/api/types';
import { JOB_ID, REPO_ID, makeJob } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { RepositoriesPage } from './RepositoriesPage';

const repo = makeRepository();
const INIT = `/api/v1/repositories/${REPO_ID}/init`;

const web = makeHost({ repository_ids: [REPO_ID] });
const db = makeHost({ id: '10000000-0000-4000-8000-000000000002', hostname: 'db-01', repository_ids: [REPO_ID] });
const down = makeHost({ id: '10000000-0000-4000-8000-000000000003', hostname: 'old-01', status: 'offline', repository_ids: [REPO_ID] });
const unlinked = makeHost({ id: '10000000-0000-4000-8000-000000000004', hostname: 'mail-01', repository_ids: [] });

function setup({ role = 'admin', hosts = [web, db, down, unlinked], answer }: { role?: Role; hosts?: Host[]; answer?: Handler } = {}) {
  const server = fakeServer({
    'GET /api/v1/repositories': () => json(200, { items: [repo] }),
    'GET /api/v1/hosts': cursorList(hosts),
    [`POST ${INIT}`]: answer ?? (() => json(202, makeJob({ kind: 'init', status: 'queued', backup: undefined }))),
  });
  vi.stubGlobal('fetch', server.fetch);
  const rendered = renderWithProviders(null, {
    me: makeMe(role),
    route: '/repositories',
    routes: [
      { path: '/repositories', element: <RepositoriesPage /> },
      { path: '/jobs/:id', element: <p>job page</p> },
    ],
  });
  return { server, user: userEvent.setup(), posts: () => server.calls('POST', INIT), ...rendered };
}

async function openInit(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('button', { name: `Actions for ${repo.name}` }));
  await user.click(await screen.findByRole('menuitem', { name: 'Initialize…' }));
  return screen.findByRole('dialog', { name: `Initialize ${repo.name}` });
}

describe('RepositoriesPage: Initialize', () => {
  it.each(['operator', 'viewer'] as const)('is not offered to a %s (needs repos_manage)', async (role) => {
    setup({ role });
    expect(await screen.findByTestId(`repository-row-${repo.name}`)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: `Actions for ${repo.name}` })).not.toBeInTheDocument();
    expect(screen.queryByRole('menuitem', { name: 'Initialize…' })).not.toBeInTheDocument();
  });

  it('offers only online linked hosts and sends the chosen host_id, then opens the job', async () => {
    let body: unknown = null;
    const { user, router } = setup({
      answer: async (r) => {
        body = await r.json();
        return json(202, makeJob({ kind: 'init', status: 'queued', backup: undefined }));
      },
    });
    const dialog = await openInit(user);
    const select = await within(dialog).findByRole('combobox', { name: 'Host' });
    // Two online hosts: the field has the focus, nothing is chosen for you, and nothing is sent without a choice.
    await waitFor(() => expect(select).toHaveFocus());
    expect(select).toHaveValue('');
    await user.click(within(dialog).getByRole('button', { name: 'Initialize repository' }));
    expect(await within(dialog).findByText('Choose the host that runs restic init')).toBeInTheDocument();

    await user.click(select);
    expect(await screen.findByRole('option', { name: 'web-01' })).toBeInTheDocument();
    expect(screen.getByRole('option', { name: 'old-01 (offline)' })).toHaveAttribute('aria-disabled', 'true');
    expect(screen.queryByRole('option', { name: /mail-01/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole('option', { name: 'db-01' }));
    expect(select).toHaveValue('db-01');
    // Keyboard: Ctrl+Enter sends from the field (Enter there opens its list).
    await user.keyboard('{Control>}{Enter}{/Control}');

    await waitFor(() => expect(router.state.location.pathname).toBe(`/jobs/${JOB_ID}`));
    expect(body).toEqual({ host_id: db.id });
    expect(await screen.findByText('job page')).toBeInTheDocument();
  });

  it('chooses the only online host itself', async () => {
    const { user, router, posts } = setup({ hosts: [web, down] });
    const dialog = await openInit(user);
    await waitFor(() => expect(within(dialog).getByRole('combobox', { name: 'Host' })).toHaveValue('web-01'));
    // The button has the focus: Enter starts it.
    await waitFor(() => expect(within(dialog).getByRole('button', { name: 'Initialize repository' })).toHaveFocus());
    await user.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe(`/jobs/${JOB_ID}`));
    expect(await posts()[0]!.json()).toEqual({ host_id: web.id });
  });

  it('shows the server’s message when it refuses, and links a job already running', async () => {
    const running = '40000000-0000-4000-8000-0000000000ff';
    let answer: { status: number; body: unknown } = {
      status: 409,
      body: {
        code: 'host.offline',
        message: 'web-01 is offline (its agent has not been in touch for over 90 s); start the agent and try again.',
        details: {},
      },
    };
    const { user, router } = setup({ hosts: [web], answer: () => json(answer.status, answer.body) });
    const dialog = await openInit(user);
    await waitFor(() => expect(within(dialog).getByRole('combobox', { name: 'Host' })).toHaveValue('web-01'));
    await user.click(within(dialog).getByRole('button', { name: 'Initialize repository' }));
    let refusal = await within(dialog).findByTestId('init-refusal');
    expect(refusal).toHaveTextContent('That host is offline');
    expect(refusal).toHaveTextContent('start the agent and try again');
    expect(router.state.location.pathname).toBe('/repositories');

    answer = {
      status: 409,
      body: {
        code: 'job.already_running',
        message: 'A init job on this host and repository is still running; wait for it or cancel it.',
        details: { job_id: running },
      },
    };
    await user.click(within(dialog).getByRole('button', { name: 'Initialize repository' }));
    await waitFor(() => expect(within(dialog).getByTestId('init-refusal')).toHaveTextContent('wait for it or cancel it'));
    refusal = within(dialog).getByTestId('init-refusal');
    expect(within(refusal).getByRole('link', { name: 'Open the running job' })).toHaveAttribute('href', `/jobs/${running}`);
  });

  it('shows any other 4xx error’s message as is', async () => {
    const { user } = setup({
      hosts: [web],
      answer: () => json(403, { code: 'auth.forbidden', message: 'Your role may not do this.', details: {} }),
    });
    const dialog = await openInit(user);
    await waitFor(() => expect(within(dialog).getByRole('combobox', { name: 'Host' })).toHaveValue('web-01'));
    await user.click(within(dialog).getByRole('button', { name: 'Initialize repository' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Could not start the initialization');
    expect(alert).toHaveTextContent('Your role may not do this.');
    expect(alert).toHaveTextContent('auth.forbidden');
  });

  it('reads every page of hosts to find the linked ones, following next_cursor', async () => {
    const { user, server } = setup({ hosts: [web] });
    // The linked host is on the second page of a two-host fleet: the first answer hands out a
    // cursor, the second (asked with it) has none.
    const seen: (string | null)[] = [];
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const url = new URL(request.url);
      if (request.method === 'GET' && url.pathname === '/api/v1/hosts') {
        const cursor = url.searchParams.get('cursor');
        seen.push(cursor);
        return json(200, cursor === 'page-2' ? { items: [web] } : { items: [unlinked], next_cursor: 'page-2' });
      }
      return server.fetch(input, init);
    });
    const dialog = await openInit(user);
    await waitFor(() => expect(within(dialog).getByRole('combobox', { name: 'Host' })).toHaveValue('web-01'));
    expect(seen.slice(0, 2)).toEqual([null, 'page-2']);
  });

  it('explains that a host must be linked first when none is', async () => {
    const { user, posts } = setup({ hosts: [unlinked] });
    const dialog = await openInit(user);
    const empty = await within(dialog).findByTestId('init-no-host');
    expect(empty).toHaveTextContent('No host is linked to this repository yet');
    expect(within(empty).getByRole('link', { name: 'Hosts' })).toHaveAttribute('href', '/hosts');
    expect(within(dialog).queryByRole('button', { name: 'Initialize repository' })).not.toBeInTheDocument();
    expect(posts()).toHaveLength(0);
  });

  it('says to start an agent when no linked host is online', async () => {
    const { user } = setup({ hosts: [down] });
    const dialog = await openInit(user);
    expect(await within(dialog).findByTestId('init-no-online-host')).toHaveTextContent('Start the agent on one of them');
    expect(within(dialog).getByRole('button', { name: 'Initialize repository' })).toBeDisabled();
  });
});

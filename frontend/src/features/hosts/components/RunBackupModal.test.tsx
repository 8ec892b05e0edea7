// "Run backup now" against a scripted server: paths are required and absolute (nothing is
// sent otherwise), the request carries the form, success opens the job's page, and refusals
// (a job already running, an offline host, a field the server rejects) say what to do.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Host } from '@/api/types';
import { JOB_ID, REPO_ID, makeJob } from '@/test/jobs';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { RunBackupModal } from './RunBackupModal';

const repo = makeRepository();
const other = makeRepository({ id: '30000000-0000-4000-8000-000000000002', name: 'offsite-b2' });

function setup(answer: Handler, host: Host = makeHost({ repository_ids: [REPO_ID] })) {
  const server = fakeServer({ [`POST /api/v1/hosts/${host.id}/backups`]: answer });
  vi.stubGlobal('fetch', server.fetch);
  const rendered = renderWithProviders(null, {
    me: makeMe('operator'),
    route: `/hosts/${host.id}`,
    routes: [
      { path: '/hosts/:id', element: <RunBackupModal opened onClose={() => undefined} host={host} repositories={[repo, other]} /> },
      { path: '/jobs/:id', element: <p>job page</p> },
    ],
  });
  const dialog = screen.getByRole('dialog', { name: `Back up ${host.hostname} now` });
  const posts = () => server.calls('POST', `/api/v1/hosts/${host.id}/backups`);
  return { server, dialog, posts, user: userEvent.setup(), ...rendered };
}

/** Typing many characters is slow in jsdom; a change event sets a text area at once. */
function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('RunBackupModal', () => {
  it('validates the paths before sending anything', async () => {
    const { posts, user, dialog } = setup(() => json(202, makeJob()));
    await user.click(within(dialog).getByRole('button', { name: 'Start backup' }));
    expect(await within(dialog).findByText('Enter at least one path to back up, one per line')).toBeInTheDocument();
    fill('Paths', '/etc\nrelative/dir');
    await user.click(within(dialog).getByRole('button', { name: 'Start backup' }));
    expect(await within(dialog).findByText('“relative/dir” is not an absolute path: start it with /')).toBeInTheDocument();
    expect(posts()).toHaveLength(0);
  });

  it('sends the repository, paths, excludes and tags, then opens the job', async () => {
    let body: unknown = null;
    const { user, dialog, router } = setup(async (r) => {
      body = await r.json();
      return json(202, makeJob({ status: 'queued' }));
    });
    // The only linked repository is chosen already.
    expect(within(dialog).getByRole('combobox', { name: 'Repository' })).toHaveValue('office-nas');
    fill('Paths', ' /etc \n\n/home\n');
    fill('Excludes', '*.tmp\n/home/*/.cache');
    await user.type(within(dialog).getByRole('combobox', { name: 'Tags' }), 'manual{Enter}');
    // Ctrl+Enter sends from a text area, where Enter only adds a line.
    fireEvent.keyDown(screen.getByLabelText('Paths'), { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(router.state.location.pathname).toBe(`/jobs/${JOB_ID}`));
    expect(body).toEqual({ repository_id: REPO_ID, paths: ['/etc', '/home'], excludes: ['*.tmp', '/home/*/.cache'], tags: ['manual'] });
    expect(await screen.findByText('job page')).toBeInTheDocument();
  });

  it('asks which repository when the host has several', async () => {
    const host = makeHost({ repository_ids: [REPO_ID, other.id] });
    let body: { repository_id?: string } = {};
    const { user, dialog } = setup(async (r) => {
      body = (await r.json()) as typeof body;
      return json(202, makeJob());
    }, host);
    fill('Paths', '/srv');
    await user.click(within(dialog).getByRole('button', { name: 'Start backup' }));
    expect(await within(dialog).findByText('Choose the repository to back up to')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('combobox', { name: 'Repository' }));
    await user.click(await screen.findByRole('option', { name: 'offsite-b2' }));
    await user.click(within(dialog).getByRole('button', { name: 'Start backup' }));
    await waitFor(() => expect(body.repository_id).toBe(other.id));
  });

  it('links to the running job when one is already running', async () => {
    const running = '40000000-0000-4000-8000-0000000000ff';
    const { user, dialog, router } = setup(() =>
      json(409, {
        code: 'job.already_running',
        message: 'A backup job on this host and repository is still running; wait for it or cancel it.',
        details: { job_id: running },
      }),
    );
    fill('Paths', '/etc');
    await user.click(within(dialog).getByRole('button', { name: 'Start backup' }));
    const refusal = await within(dialog).findByTestId('backup-refusal');
    expect(refusal).toHaveTextContent('A backup is already running');
    expect(refusal).toHaveTextContent('wait for it or cancel it');
    const link = within(refusal).getByRole('link', { name: 'Open the running job' });
    expect(link).toHaveAttribute('href', `/jobs/${running}`);
    await user.click(link);
    await waitFor(() => expect(router.state.location.pathname).toBe(`/jobs/${running}`));
  });

  it('names an offline host and an unlinked repository', async () => {
    let code = 'host.offline';
    const { user, dialog } = setup(() =>
      json(409, {
        code,
        message:
          code === 'host.offline'
            ? 'web-01 is offline (its agent has not been in touch for over 90 s); start the agent and try again.'
            : 'Repository office-nas is not linked to web-01; link it on the host’s page first.',
        details: {},
      }),
    );
    fill('Paths', '/etc');
    await user.click(within(dialog).getByRole('button', { name: 'Start backup' }));
    let refusal = await within(dialog).findByTestId('backup-refusal');
    expect(refusal).toHaveTextContent('web-01 is offline');
    expect(refusal).toHaveTextContent('start the agent and try again');

    code = 'job.repository_not_linked';
    await user.click(within(dialog).getByRole('button', { name: 'Start backup' }));
    await waitFor(() => expect(within(dialog).getByTestId('backup-refusal')).toHaveTextContent('not linked to the host'));
    refusal = within(dialog).getByTestId('backup-refusal');
    expect(refusal).toHaveTextContent('link it on the host’s page first');
  });

  it('puts a field the server rejects on that field', async () => {
    const { user, dialog } = setup(() =>
      json(400, { code: 'job.invalid_backup', message: 'At most 200 exclude patterns, each a usable pattern.', details: { field: 'excludes' } }),
    );
    fill('Paths', '/etc');
    await user.click(within(dialog).getByRole('button', { name: 'Start backup' }));
    expect(await within(dialog).findByText('At most 200 exclude patterns, each a usable pattern.')).toBeInTheDocument();
    expect(screen.getByLabelText('Excludes')).toHaveAttribute('aria-invalid', 'true');
  });

  it('puts an edge-validation refusal (request.invalid_body) on the field it names', async () => {
    const { user, dialog } = setup(() =>
      json(400, {
        code: 'request.invalid_body',
        message: '`paths` must match the pattern ^\\s*/.',
        details: { field: 'paths', rule: 'pattern' },
      }),
    );
    fill('Paths', '/etc');
    await user.click(within(dialog).getByRole('button', { name: 'Start backup' }));
    expect(await within(dialog).findByText('`paths` must match the pattern ^\\s*/.')).toBeInTheDocument();
    expect(screen.getByLabelText('Paths')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Excludes')).not.toHaveAttribute('aria-invalid', 'true');
    // On the field, not repeated above the form.
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows a refusal naming no input of the form above it', async () => {
    const { user, dialog } = setup(() =>
      json(400, { code: 'request.invalid_body', message: '`extra` is not a field of this request.', details: { field: 'extra', rule: null } }),
    );
    fill('Paths', '/etc');
    await user.click(within(dialog).getByRole('button', { name: 'Start backup' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('`extra` is not a field of this request.');
    expect(screen.getByLabelText('Paths')).not.toHaveAttribute('aria-invalid', 'true');
  });

  it('says to link a repository first when the host has none', () => {
    const { dialog } = setup(() => json(500, {}), makeHost({ repository_ids: [] }));
    expect(dialog).toHaveTextContent('Link a repository to web-01');
    expect(within(dialog).queryByRole('button', { name: 'Start backup' })).not.toBeInTheDocument();
  });
});

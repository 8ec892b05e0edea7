// The repository page's copies (3-2-1) against a scripted server: each source → mirror pair
// with its host, newest copy job, what is missing and how far behind the mirror is (the label
// and its color level); the empty state; "Copy to mirror" posting to the mirror's jobs with
// this repository as the source, then opening the job; and a refusal shown in the dialog.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { RepositoryCopy, Role } from '@/api/types';
import { HOST_ID, REPO_ID, makeJob, makeJobsMe } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { RepositoryDetailPage } from './RepositoryDetailPage';

const B2_ID = '30000000-0000-4000-8000-0000000000b2';
const USB_ID = '30000000-0000-4000-8000-0000000000cc';
const LAPTOP_ID = '30000000-0000-4000-8000-0000000000dd';
const NEW_ID = '40000000-0000-4000-8000-000000000061';
const JOB_A = '40000000-0000-4000-8000-000000000071';
const JOB_B = '40000000-0000-4000-8000-000000000072';

const repo = makeRepository({ id: REPO_ID, name: 'office-nas' });
const b2 = makeRepository({ id: B2_ID, name: 'offsite-b2' });
const usb = makeRepository({ id: USB_ID, name: 'usb-disk' });
// web-01 has the source and offsite-b2 linked; usb-disk is linked to no host.
const host = makeHost({ id: HOST_ID, hostname: 'web-01', repository_ids: [REPO_ID, B2_ID] });

const HOUR = 3600;
const pair = (overrides: Partial<RepositoryCopy>): RepositoryCopy => ({
  source_id: REPO_ID,
  source_name: 'office-nas',
  mirror_id: B2_ID,
  mirror_name: 'offsite-b2',
  last_job_id: JOB_A,
  last_status: 'succeeded',
  last_at: '2025-03-01T09:00:00Z',
  ...overrides,
});

const PAIRS: RepositoryCopy[] = [
  pair({ host: 'web-01', source_snapshots: 12, missing: 0, behind_seconds: 0, source_newest: '2025-03-01T08:00:00Z', copied_newest: '2025-03-01T08:00:00Z' }),
  pair({ mirror_id: USB_ID, mirror_name: 'usb-disk', last_job_id: JOB_B, last_status: 'warning', source_snapshots: 12, missing: 3, behind_seconds: 2 * HOUR }),
  pair({ source_id: LAPTOP_ID, source_name: 'laptop-repo', mirror_id: REPO_ID, mirror_name: 'office-nas', host: 'laptop', source_snapshots: 40, missing: 9, behind_seconds: 30 * HOUR }),
  pair({ mirror_id: USB_ID, mirror_name: 'usb-disk', host: 'db-01', last_status: 'failed' }),
];

const MIRROR_JOBS = `/api/v1/repositories/${B2_ID}/jobs`;

function setup(role: Role, { copies = PAIRS, start }: { copies?: RepositoryCopy[]; start?: Handler } = {}) {
  const server = fakeServer({
    [`GET /api/v1/repositories/${REPO_ID}`]: () => json(200, repo),
    'GET /api/v1/repositories': () => json(200, { items: [repo, b2, usb] }),
    [`GET /api/v1/repositories/${REPO_ID}/copies`]: () => json(200, { items: copies }),
    'GET /api/v1/hosts': cursorList([host]),
    'GET /api/v1/jobs': () => json(200, { items: [] }),
    [`POST ${MIRROR_JOBS}`]: start ?? (() => json(202, makeJob({ id: NEW_ID, kind: 'copy', status: 'queued', repository_id: B2_ID, backup: undefined }))),
  });
  vi.stubGlobal('fetch', server.fetch);
  const rendered = renderWithProviders(null, {
    me: makeJobsMe(role),
    route: `/repositories/${REPO_ID}`,
    routes: [
      { path: '/repositories/:id', element: <RepositoryDetailPage /> },
      { path: '/jobs/:id', element: <p>job page</p> },
    ],
  });
  return { server, ...rendered, user: userEvent.setup() };
}

async function openCopyDialog(user: ReturnType<typeof userEvent.setup>) {
  const button = await screen.findByRole('button', { name: 'Copy to mirror…' });
  await waitFor(() => expect(button).toBeEnabled());
  await user.click(button);
  const dialog = await screen.findByRole('dialog', { name: 'Copy to mirror: office-nas' });
  // The form waits for the repositories list.
  await within(dialog).findByRole('form', { name: 'Copy to mirror' });
  return dialog;
}

describe('RepositoryDetailPage copies', () => {
  it('lists each pair: direction, host, newest copy, what is missing and how far behind', async () => {
    setup('viewer');
    const rows = await screen.findAllByTestId('copy-pair');
    expect(rows).toHaveLength(4);
    const [current, behind, stale, unmeasured] = rows as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];

    expect(within(current).getByTestId('copy-direction')).toHaveTextContent('office-nas→copied tooffsite-b2web-01');
    // The other side links to its page; this repository is not a link.
    expect(within(current).getByRole('link', { name: 'offsite-b2' })).toHaveAttribute('href', `/repositories/${B2_ID}`);
    expect(within(current).queryByRole('link', { name: 'office-nas' })).not.toBeInTheDocument();
    expect(within(current).getByTestId('copy-staleness')).toHaveTextContent('up to date');
    expect(within(current).getByTestId('copy-staleness')).toHaveAttribute('data-level', 'current');
    expect(within(current).getByTestId('copy-missing')).toHaveTextContent('none missing of 12');
    expect(within(current).getByTestId('copy-last-job')).toHaveAttribute('href', `/jobs/${JOB_A}`);
    expect(within(current).getByTestId('job-status')).toHaveAttribute('data-status', 'succeeded');

    expect(within(behind).getByTestId('copy-host')).toHaveTextContent('all hosts');
    expect(within(behind).getByTestId('copy-staleness')).toHaveTextContent('behind by 2 h');
    expect(within(behind).getByTestId('copy-staleness')).toHaveAttribute('data-level', 'behind');
    expect(within(behind).getByTestId('copy-missing')).toHaveTextContent('3 missing of 12');
    expect(within(behind).getByTestId('copy-last-job')).toHaveAttribute('href', `/jobs/${JOB_B}`);

    // This repository as the mirror of another.
    expect(within(stale).getByRole('link', { name: 'laptop-repo' })).toHaveAttribute('href', `/repositories/${LAPTOP_ID}`);
    expect(within(stale).getByTestId('copy-staleness')).toHaveTextContent('behind by 30 h');
    expect(within(stale).getByTestId('copy-staleness')).toHaveAttribute('data-level', 'stale');

    expect(within(unmeasured).getByTestId('copy-staleness')).toHaveTextContent('not measured yet');
    expect(within(unmeasured).getByTestId('copy-staleness')).toHaveAttribute('data-level', 'unmeasured');
    expect(within(unmeasured).queryByTestId('copy-missing')).not.toBeInTheDocument();

    // A viewer reads the copies but starts none.
    expect(screen.queryByRole('button', { name: 'Copy to mirror…' })).not.toBeInTheDocument();
  });

  it('says what to do when there is no copy yet', async () => {
    setup('operator', { copies: [] });
    expect(await screen.findByTestId('copies-empty')).toHaveTextContent(
      'No copies yet. Copy this repository’s snapshots to a second repository with Copy to mirror below, or set Copy to a mirror on a schedule.',
    );
  });

  it('copies to the mirror: posts to the mirror’s jobs with this repository as the source, then opens the job', async () => {
    const { server, router, user } = setup('operator', { copies: [] });
    const dialog = await openCopyDialog(user);
    // The only online host is chosen, and the only other repository it has linked.
    expect(within(dialog).getByRole('combobox', { name: /^Host/ })).toHaveValue('web-01');
    expect(within(dialog).getByRole('combobox', { name: /^Mirror/ })).toHaveValue('offsite-b2');
    // A repository the host has not linked is offered, but cannot be chosen.
    await user.click(within(dialog).getByRole('combobox', { name: /^Mirror/ }));
    const unlinked = await screen.findByRole('option', { name: 'usb-disk (not linked to web-01)' });
    expect(unlinked).toHaveAttribute('data-combobox-disabled', 'true');
    expect(screen.queryByRole('option', { name: /office-nas/ })).not.toBeInTheDocument();
    await user.keyboard('{Escape}');

    fireEvent.change(within(dialog).getByRole('textbox', { name: /^Only this host’s snapshots/ }), { target: { value: 'web-01' } });
    await user.type(within(dialog).getByLabelText(/^Only snapshots tagged/, { selector: 'input' }), 'nightly{Enter}');
    await user.click(within(dialog).getByRole('button', { name: 'Start copy' }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/jobs/${NEW_ID}`));
    const calls = server.calls('POST', MIRROR_JOBS);
    expect(calls).toHaveLength(1);
    expect(await calls[0]!.json()).toEqual({ host_id: HOST_ID, args: { kind: 'copy', from_repository_id: REPO_ID, host: 'web-01', tags: ['nightly'] } });
    expect(server.calls('POST', `/api/v1/repositories/${REPO_ID}/jobs`)).toHaveLength(0);
  });

  it('shows the server’s refusal in the dialog and stays', async () => {
    const message = 'web-01 has no link to offsite-b2: link both repositories to the host that copies.';
    const { router, user } = setup('operator', {
      start: () => json(409, { code: 'repository.not_linked', message, details: {} }),
    });
    const dialog = await openCopyDialog(user);
    await user.click(within(dialog).getByRole('button', { name: 'Start copy' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Could not start the copy');
    expect(alert).toHaveTextContent(message);
    expect(alert).toHaveTextContent('repository.not_linked');
    expect(router.state.location.pathname).toBe(`/repositories/${REPO_ID}`);
  });
});

// A forget the delete guard blocked: an admin approves it behind a confirmation that counts
// and names what goes (the new job's page opens), an operator gets no button, and the kept
// and removed snapshots show in a collapsible table, kept ones with restic's reasons.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Job, Role } from '@/api/types';
import { installFakeEventSource } from '@/test/eventSource';
import { JOB_ID, makeForgetSnapshot, makeJob, makeJobsMe } from '@/test/jobs';
import { fakeServer, json, renderWithProviders } from '@/test/utils';
import { JobDetailPage } from './JobDetailPage';

const NEW_ID = '40000000-0000-4000-8000-0000000000ff';

const blocked = makeJob({
  kind: 'forget',
  status: 'blocked',
  backup: undefined,
  error_class: 'forget.guard',
  error_message: 'it would remove 2 of 3 snapshots, more than this repository’s limit of 50 %',
  result: {
    outcome: 'blocked',
    unreadable: [],
    findings: [],
    forget: {
      removed: false,
      keep: [makeForgetSnapshot(1, ['last snapshot', 'daily snapshot'])],
      remove: [makeForgetSnapshot(3), makeForgetSnapshot(2)],
    },
  },
});

function setup(role: Role, job: Job = blocked) {
  installFakeEventSource();
  const server = fakeServer({
    [`GET /api/v1/jobs/${job.id}`]: () => json(200, job),
    [`POST /api/v1/jobs/${job.id}/approve`]: () => json(202, makeJob({ id: NEW_ID, kind: 'forget', status: 'queued', backup: undefined })),
    [`GET /api/v1/jobs/${NEW_ID}`]: () => json(200, makeJob({ id: NEW_ID, kind: 'forget', status: 'queued', backup: undefined })),
  });
  vi.stubGlobal('fetch', server.fetch);
  const rendered = renderWithProviders(null, {
    me: makeJobsMe(role),
    route: `/jobs/${job.id}`,
    routes: [{ path: '/jobs/:id', element: <JobDetailPage /> }],
  });
  return { server, ...rendered };
}

describe('approving a blocked forget', () => {
  it('lets an admin approve after a confirmation that counts and names what goes, then opens the new job', async () => {
    const { server, router } = setup('admin');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Approve this run' }));
    const dialog = await screen.findByRole('dialog', { name: /Approve this forget/ });
    expect(within(dialog).getByTestId('approve-summary')).toHaveTextContent('removes 2 snapshots from office-nas');
    expect(within(dialog).getByTestId('approve-ids')).toHaveTextContent('33333333 22222222');
    expect(server.calls('POST', `/api/v1/jobs/${JOB_ID}/approve`)).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Remove 2 snapshots' }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/jobs/${NEW_ID}`));
    expect(server.calls('POST', `/api/v1/jobs/${JOB_ID}/approve`)).toHaveLength(1);
  });

  it('shows the server’s refusal in the dialog', async () => {
    const { server } = setup('admin');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Approve this run' }));
    // Someone else approved it first: the server refuses a second approval.
    server.requests.length = 0;
    vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      if (request.method === 'POST') {
        return Promise.resolve(json(409, { code: 'job.not_blocked', message: 'Only a forget its delete guard blocked can be approved.', details: {} }));
      }
      return server.fetch(input, init);
    });
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Remove 2 snapshots' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Only a forget its delete guard blocked can be approved.');
  });

  it('gives an operator the report but no approval', async () => {
    setup('operator');
    const report = await screen.findByTestId('forget-report');
    expect(screen.queryByRole('button', { name: 'Approve this run' })).not.toBeInTheDocument();
    const toggle = within(report).getByRole('button', { name: '1 kept · 2 to remove' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await userEvent.setup().click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    // The Collapse opens over a transition: wait for its rows to become visible.
    const rows = (await within(report).findAllByRole('row')).slice(1);
    // Newest first: the kept one (1 h old), then the removed ones (2 h, 3 h).
    expect(rows.map((r) => r.getAttribute('data-testid'))).toEqual(['forget-kept', 'forget-removed', 'forget-removed']);
    expect(rows[0]).toHaveTextContent('11111111');
    expect(rows[0]).toHaveTextContent('last snapshot, daily snapshot');
    expect(rows[1]).toHaveTextContent('22222222');
  });
});

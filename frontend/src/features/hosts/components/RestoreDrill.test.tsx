// Restore drills on the host page: the last drill's line (status and time to restore, read from
// the job itself when the list leaves the result out), and starting one with the repository
// picked when the host has several.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { patterns } from '@/lib/paths';
import { HOST_ID, JOB_ID, REPO_ID, makeJob } from '@/test/jobs';
import { cursorList, fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders } from '@/test/utils';
import { LastDrill, RestoreDrillButton } from './RestoreDrill';

const drill = { snapshot_id: 'c'.repeat(64), files: 20, bytes: 2048, restore_ms: 1234, verified: true, mismatches: [] };

describe('LastDrill', () => {
  it('shows the newest drill and its time to restore, from the job when the list has no result', async () => {
    const server = fakeServer({
      'GET /api/v1/jobs': cursorList([makeJob({ kind: 'drill', status: 'succeeded', finished_at: '2025-03-01T10:01:00Z' })]),
      [`GET /api/v1/jobs/${JOB_ID}`]: () => json(200, makeJob({ kind: 'drill', status: 'succeeded', finished_at: '2025-03-01T10:01:00Z', result: { outcome: 'succeeded', unreadable: [], findings: [], drill } })),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<LastDrill hostId={HOST_ID} />, { me: makeMe('viewer') });
    expect(await screen.findByText(/restored in 1\.2 s/)).toBeInTheDocument();
    const query = new URL(server.calls('GET', '/api/v1/jobs')[0]?.url ?? 'http://x').searchParams;
    expect([query.get('host_id'), query.get('kind'), query.get('limit')]).toEqual([HOST_ID, 'drill', '1']);
  });

  it('says never when no drill ran', async () => {
    vi.stubGlobal('fetch', fakeServer({ 'GET /api/v1/jobs': cursorList([]) }).fetch);
    renderWithProviders(<LastDrill hostId={HOST_ID} />, { me: makeMe('viewer') });
    expect(await screen.findByText('never')).toBeInTheDocument();
  });
});

describe('RestoreDrillButton', () => {
  it('asks which repository when the host has several, then opens the job', async () => {
    const user = userEvent.setup();
    const other = makeRepository({ id: '0195a2b0-0000-7000-8000-00000000bbbb', name: 'offsite' });
    const server = fakeServer({ [`POST /api/v1/hosts/${HOST_ID}/drills`]: () => json(202, makeJob({ kind: 'drill', status: 'queued' })) });
    vi.stubGlobal('fetch', server.fetch);
    const host = makeHost({ id: HOST_ID, repository_ids: [REPO_ID, other.id] });
    const { router } = renderWithProviders(null, {
      me: makeMe('operator'),
      route: '/',
      routes: [
        { path: '/', element: <RestoreDrillButton host={host} repositories={[makeRepository({ id: REPO_ID }), other]} /> },
        { path: patterns.job, element: <p>job page</p> },
      ],
    });
    await user.click(screen.getByTestId('restore-drill'));
    await user.click(await screen.findByRole('button', { name: 'Start drill' }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/jobs/${JOB_ID}`));
    expect(await server.calls('POST', `/api/v1/hosts/${HOST_ID}/drills`)[0]?.json()).toEqual({ repository_id: REPO_ID });
  });
});

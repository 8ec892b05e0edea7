// The host's next and last scheduled run: the words (relative to a fixed now), and what the
// fleet table and the host header render for a host with runs and one without.
import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { cursorList, fakeServer, json, makeHost, makeMe, renderWithProviders } from '@/test/utils';
import { HostsPage } from '../routes/HostsPage';
import { lastRunWhen, nextRunText } from './HostRuns';

const NOW = Date.parse('2026-12-06T10:00:00Z');
const JOB = '40000000-0000-4000-8000-0000000000aa';

const scheduled = makeHost({
  hostname: 'web-01',
  next_run: { at: '2026-12-06T15:00:00Z', schedule_id: 's1', schedule_name: 'nightly' },
  last_scheduled_run: {
    job_id: JOB,
    status: 'failed',
    created_at: '2026-12-06T07:00:00Z',
    finished_at: '2026-12-06T08:00:00Z',
    schedule_id: 's1',
    schedule_name: 'nightly',
  },
});
const bare = makeHost({ id: 'h2', hostname: 'nas' });

describe('host run words', () => {
  it('names the schedule that fires next, relative to now', () => {
    expect(nextRunText(scheduled, NOW)).toBe('in 5 hours · nightly');
    expect(nextRunText(bare, NOW)).toBeNull();
  });

  it('dates the last run by its end, or by its start while it runs', () => {
    expect(lastRunWhen(scheduled, NOW)).toBe('2 hours ago');
    const running = makeHost({
      last_scheduled_run: { job_id: JOB, status: 'running', created_at: '2026-12-06T09:00:00Z', schedule_id: 's1', schedule_name: 'nightly' },
    });
    expect(lastRunWhen(running, NOW)).toBe('1 hour ago');
    expect(lastRunWhen(bare, NOW)).toBeNull();
  });
});

describe('hosts table runs', () => {
  it('shows the next run and links the last run’s status to its job; a host without schedules says so', async () => {
    const server = fakeServer({
      'GET /api/v1/hosts': cursorList([scheduled, bare]),
      'GET /api/v1/pending-hosts': () => json(200, { items: [] }),
    });
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<HostsPage />, { me: makeMe('viewer'), route: '/hosts' });
    const web = await screen.findByTestId('host-row-web-01');
    expect(within(web).getByTestId('host-next-run')).toHaveTextContent(/· nightly$/);
    const last = within(web).getByTestId('host-last-run');
    expect(last).toHaveAttribute('href', `/jobs/${JOB}`);
    expect(last).toHaveAttribute('data-status', 'failed');
    expect(within(last).getByTestId('job-status')).toHaveTextContent('Failed');
    const nas = screen.getByTestId('host-row-nas');
    expect(within(nas).getByTestId('host-next-run')).toHaveTextContent('none scheduled');
    expect(within(nas).getByTestId('host-last-run')).toHaveTextContent('never');
    expect(within(nas).queryByRole('link', { name: /Last scheduled run/ })).not.toBeInTheDocument();
  });
});

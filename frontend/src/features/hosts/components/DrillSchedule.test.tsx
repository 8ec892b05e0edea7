// The host's restore drill schedule against a scripted server: the empty state and the sentence,
// the editor's PUT body and the server's refusal on the field it names, removal, and a viewer's read-only card.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { DrillSchedule, Role } from '@/api/types';
import { HOST_ID, REPO_ID } from '@/test/jobs';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { DrillScheduleCard } from './DrillSchedule';

const PATH = `/api/v1/hosts/${HOST_ID}/drill-schedule`;
const host = makeHost({ id: HOST_ID, hostname: 'web-01', repository_ids: [REPO_ID], timezone: 'Europe/Berlin' });
const repositories = [makeRepository({ id: REPO_ID, name: 'office-nas' })];
const weekly: DrillSchedule = {
  repository_id: REPO_ID,
  cron: '0 5 * * 0',
  effective_timezone: 'Europe/Berlin',
  description: 'every Sunday at 05:00',
  files: 20,
  max_bytes: 100 * 1024 * 1024,
  next_at: new Date(Date.now() + 3 * 86_400_000 + 60_000).toISOString(),
  updated_at: '2025-03-01T10:00:00Z',
};

function setup(role: Role, { schedule, put }: { schedule?: DrillSchedule; put?: Handler } = {}) {
  let current = schedule;
  const server = fakeServer({
    [`GET ${PATH}`]: () => json(200, current ? { schedule: current } : {}),
    [`PUT ${PATH}`]:
      put ??
      (async (r) => {
        const body = (await r.json()) as { repository_id: string; cron: string; timezone?: string; files: number; max_bytes: number };
        current = { ...weekly, ...body, effective_timezone: body.timezone ?? 'Europe/Berlin', description: 'every day at 04:30' };
        return json(200, current);
      }),
    [`DELETE ${PATH}`]: () => {
      current = undefined;
      return new Response(null, { status: 204 });
    },
    'GET /api/v1/schedules/preview': (r) => {
      const q = new URL(r.url).searchParams;
      return json(200, { description: `Cron ${q.get('cron')}`, timezone: q.get('timezone') ?? 'Europe/Berlin', next_fires: ['2090-01-07T04:00:00Z', '2090-01-14T04:00:00Z', '2090-01-21T04:00:00Z'] });
    },
  });
  vi.stubGlobal('fetch', server.fetch);
  const canEdit = role !== 'viewer';
  renderWithProviders(<DrillScheduleCard host={host} repositories={repositories} canEdit={canEdit} />, { me: makeMe(role) });
  return { server, user: userEvent.setup() };
}

describe('DrillScheduleCard', () => {
  it('says when drills run, when next, how much and from where', async () => {
    setup('viewer', { schedule: weekly });
    const sentence = await screen.findByTestId('drill-schedule-sentence');
    expect(sentence).toHaveTextContent('Drills every Sunday at 05:00 (Europe/Berlin) · next in 3 days · 20 files, ≤ 100 MiB from office-nas');
    expect(within(sentence).getByRole('link', { name: 'office-nas' })).toHaveAttribute('href', `/repositories/${REPO_ID}`);
  });

  it('shows an operator the empty state with a button to schedule drills', async () => {
    setup('operator');
    const empty = await screen.findByTestId('drill-schedule-empty');
    expect(empty).toHaveTextContent('No drill schedule. Schedule one so Cairn proves restores work by itself.');
    expect(within(empty).getByRole('button', { name: 'Schedule drills' })).toBeEnabled();
  });

  it('shows a viewer no button in the empty state, and who can act', async () => {
    setup('viewer');
    const empty = await screen.findByTestId('drill-schedule-empty');
    expect(empty).toHaveTextContent('An operator or administrator can schedule one.');
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('shows a viewer a schedule without its edit and remove buttons', async () => {
    setup('viewer', { schedule: weekly });
    await screen.findByTestId('drill-schedule-sentence');
    expect(screen.queryByRole('button', { name: 'Edit schedule' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Remove schedule' })).not.toBeInTheDocument();
  });

  it('sends the form as a PUT, with the only repository preselected and the host’s zone left out', async () => {
    const { server, user } = setup('operator');
    await user.click(within(await screen.findByTestId('drill-schedule-empty')).getByRole('button', { name: 'Schedule drills' }));
    const form = await screen.findByRole('form', { name: 'Drill schedule' });
    expect(within(form).getByRole('combobox', { name: 'Repository' })).toHaveValue('office-nas');
    const cron = within(form).getByLabelText(/^Cron expression/);
    expect(cron).toHaveValue('0 5 * * 0');
    expect(within(form).getByRole('combobox', { name: 'Time zone' })).toHaveAttribute('placeholder', 'Europe/Berlin (the host’s zone)');
    // The server's reading, in the host's zone (no zone asked).
    expect(await within(form).findByTestId('drill-cron-sentence')).toHaveTextContent('Cron 0 5 * * 0');
    expect(within(form).getAllByTestId('drill-cron-fire')).toHaveLength(3);
    const previews = server.calls('GET', '/api/v1/schedules/preview').map((r) => new URL(r.url).searchParams);
    expect(previews.every((q) => q.get('host_id') === HOST_ID && !q.has('timezone'))).toBe(true);

    await user.click(within(form).getByRole('combobox', { name: 'Preset' }));
    await user.click(await screen.findByRole('option', { name: 'Every day at 04:30' }));
    expect(cron).toHaveValue('30 4 * * *');
    const files = within(form).getByLabelText(/^Files/);
    await user.clear(files);
    await user.type(files, '50');
    const max = within(form).getByLabelText(/^At most \(MiB\)/);
    await user.clear(max);
    await user.type(max, '200');
    await user.click(within(form).getByRole('button', { name: 'Save schedule' }));

    await waitFor(() => expect(server.calls('PUT', PATH)).toHaveLength(1));
    expect(await server.calls('PUT', PATH)[0]?.json()).toEqual({ repository_id: REPO_ID, cron: '30 4 * * *', files: 50, max_bytes: 200 * 1024 * 1024 });
    expect(await screen.findByText('web-01 runs restore drills on its schedule from now on.')).toBeInTheDocument();
    expect(await screen.findByTestId('drill-schedule-sentence')).toHaveTextContent('Drills every day at 04:30 (Europe/Berlin)');
    expect(screen.queryByRole('form', { name: 'Drill schedule' })).not.toBeInTheDocument();
  });

  it('puts the server’s refusal of the cron on the cron field and keeps the dialog open', async () => {
    const message = 'The cron expression fires more often than every 5 minutes.';
    const { server, user } = setup('admin', {
      schedule: weekly,
      put: () => json(400, { code: 'schedule.invalid_cron', message, details: { field: 'cron' } }),
    });
    await user.click(await screen.findByRole('button', { name: 'Edit schedule' }));
    const form = await screen.findByRole('form', { name: 'Drill schedule' });
    const cron = within(form).getByLabelText(/^Cron expression/);
    await user.clear(cron);
    await user.type(cron, '* * * * *');
    await user.click(within(form).getByRole('button', { name: 'Save schedule' }));

    await waitFor(() => expect(cron).toHaveAttribute('aria-invalid', 'true'));
    expect(within(form).getByText(message)).toBeInTheDocument();
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
    expect(await server.calls('PUT', PATH)[0]?.json()).toEqual({ repository_id: REPO_ID, cron: '* * * * *', files: 20, max_bytes: 100 * 1024 * 1024 });
  });

  it('removes the schedule after a confirmation', async () => {
    const { server, user } = setup('operator', { schedule: weekly });
    await user.click(await screen.findByRole('button', { name: 'Remove schedule' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove the drill schedule?' });
    expect(server.calls('DELETE', PATH)).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Remove schedule' }));
    await waitFor(() => expect(server.calls('DELETE', PATH)).toHaveLength(1));
    expect(await screen.findByTestId('drill-schedule-empty')).toBeInTheDocument();
  });
});

// The repository's scheduled check against a scripted server: the sentence everyone reads (a
// due one waits for an online host), the empty state, and for admins the form: its PATCH body
// (set, and null to remove), the server's refusal on the field it names, the live preview.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Repository, Role } from '@/api/types';
import { HOST_ID, REPO_ID } from '@/test/jobs';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { useRepository } from '../api';
import { browserZone, type CheckSchedule } from '../checkSchedule';
import { CheckScheduleSection } from './CheckScheduleSection';

const host = makeHost({ id: HOST_ID, hostname: 'web-01', repository_ids: [REPO_ID] });
const OTHER_ID = '10000000-0000-4000-8000-000000000002';
const other = makeHost({ id: OTHER_ID, hostname: 'db-02', status: 'offline', repository_ids: [REPO_ID] });
const PATH = `/api/v1/repositories/${REPO_ID}`;
const weekly: CheckSchedule = {
  cron: '0 4 * * 0',
  timezone: 'Europe/Berlin',
  description: 'At 04:00 on Sunday',
  read_data_subset: '5%',
  host_id: HOST_ID,
  next_at: '2090-01-07T03:00:00Z',
};

function setup(role: Role, { schedule, patch }: { schedule?: CheckSchedule; patch?: Handler } = {}) {
  let current: Repository = makeRepository({ id: REPO_ID, check_schedule: schedule });
  const server = fakeServer({
    [`GET ${PATH}`]: () => json(200, current),
    [`PATCH ${PATH}`]:
      patch ??
      (async (r) => {
        const body = (await r.json()) as { check_schedule: { cron: string; timezone?: string; read_data_subset?: string; host_id?: string } | null };
        const set = body.check_schedule;
        current = { ...current, check_schedule: set ? { ...set, timezone: set.timezone ?? 'UTC', description: 'At 04:00 on day-of-month 1', next_at: '2090-02-01T03:00:00Z' } : undefined };
        return json(200, current);
      }),
    'GET /api/v1/schedules/preview': (r) => {
      const q = new URL(r.url).searchParams;
      if (q.get('cron') === 'nonsense') return json(400, { code: 'schedule.invalid_cron', message: 'Not a cron expression: nonsense.', details: {} });
      return json(200, { description: `Cron ${q.get('cron')}`, timezone: q.get('timezone') ?? 'UTC', next_fires: ['2090-01-07T03:00:00Z', '2090-01-14T03:00:00Z', '2090-01-21T03:00:00Z', '2090-01-28T03:00:00Z'] });
    },
  });
  vi.stubGlobal('fetch', server.fetch);
  // The section reads the repository the page hands it, from the cache a save updates.
  function Harness() {
    const repository = useRepository(REPO_ID);
    return repository.data ? <CheckScheduleSection repository={repository.data} hosts={[host, other]} canEdit={role === 'admin'} /> : null;
  }
  const rendered = renderWithProviders(<Harness />, { me: makeMe(role) });
  return { server, ...rendered, user: userEvent.setup(), now: () => current };
}

const patches = async (server: ReturnType<typeof fakeServer>) => Promise.all(server.calls('PATCH', PATH).map((r) => r.json()));

describe('CheckScheduleSection', () => {
  it('tells everyone when the check runs, what it reads, through which host, and when next', async () => {
    setup('viewer', { schedule: weekly });
    const sentence = await screen.findByTestId('check-schedule-sentence');
    expect(sentence).toHaveTextContent(/^Checked at 04:00 on Sunday \(Europe\/Berlin\), reading 5% of the data, through web-01; next: in \d+ years\.$/);
    expect(within(sentence).getByRole('link', { name: 'web-01' })).toHaveAttribute('href', `/hosts/${HOST_ID}`);
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('says a past fire waits for an online host, and the structure-only check through any host', async () => {
    setup('viewer', { schedule: { ...weekly, read_data_subset: undefined, host_id: undefined, next_at: '2020-01-05T03:00:00Z' } });
    const sentence = await screen.findByTestId('check-schedule-sentence');
    expect(sentence).toHaveTextContent('reading the structure only, through any online linked host; due: waits for an online host.');
    expect(within(sentence).queryByRole('link')).not.toBeInTheDocument();
  });

  it('shows a viewer the empty state with who can act, and no button', async () => {
    setup('viewer');
    const empty = await screen.findByTestId('check-schedule-empty');
    expect(empty).toHaveTextContent('No scheduled check. A weekly check with a 5 % data subset finds damage before a restore needs the data.');
    expect(empty).toHaveTextContent('An administrator can schedule one.');
    expect(within(empty).queryByRole('button')).not.toBeInTheDocument();
  });

  it('lets an admin schedule a check: the suggested weekly 5 % one, changed to monthly, sent with Enter', async () => {
    const { server, user } = setup('admin');
    await user.click(within(await screen.findByTestId('check-schedule-empty')).getByRole('button', { name: 'Schedule a check' }));
    const form = screen.getByRole('form', { name: 'Check schedule' });
    const cron = within(form).getByLabelText(/^Cron expression/);
    expect(cron).toHaveValue('0 4 * * 0');
    expect(within(form).getByLabelText(/^Read data subset/)).toHaveValue('5%');
    expect(within(form).getByRole('combobox', { name: 'Time zone' })).toHaveValue(browserZone());
    // The server's reading of the cron, as typed.
    expect(await within(form).findByTestId('check-cron-sentence')).toHaveTextContent('Cron 0 4 * * 0');
    expect(within(form).getAllByTestId('check-cron-fire')).toHaveLength(3);

    await user.click(within(form).getByRole('combobox', { name: 'Preset' }));
    await user.click(await screen.findByRole('option', { name: 'On the 1st of every month at 04:00' }));
    expect(cron).toHaveValue('0 4 1 * *');
    await user.click(within(form).getByRole('combobox', { name: 'Preferred host' }));
    await user.click(await screen.findByRole('option', { name: 'web-01' }));
    await user.type(within(form).getByLabelText(/^Read data subset/), '{Enter}');

    await waitFor(() => expect(server.calls('PATCH', PATH)).toHaveLength(1));
    expect(await patches(server)).toEqual([
      { check_schedule: { cron: '0 4 1 * *', timezone: browserZone(), read_data_subset: '5%', host_id: HOST_ID } },
    ]);
    expect(await screen.findByText(/office-nas is checked on its schedule from now on/)).toBeInTheDocument();
  });

  it('removes the schedule with check_schedule: null', async () => {
    const { server, user } = setup('admin', { schedule: weekly });
    await user.click(await screen.findByRole('button', { name: 'Remove schedule' }));
    await waitFor(() => expect(server.calls('PATCH', PATH)).toHaveLength(1));
    expect(await patches(server)).toEqual([{ check_schedule: null }]);
    expect(await screen.findByText('office-nas is no longer checked on a schedule.')).toBeInTheDocument();
  });

  it('edits a stored schedule from its values, and removes it from the form too', async () => {
    const { server, user } = setup('admin', { schedule: weekly });
    await user.click(await screen.findByRole('button', { name: 'Edit schedule' }));
    const form = screen.getByRole('form', { name: 'Check schedule' });
    expect(within(form).getByRole('combobox', { name: 'Time zone' })).toHaveValue('Europe/Berlin');
    expect(within(form).getByRole('combobox', { name: 'Preferred host' })).toHaveValue('web-01');
    await user.click(within(form).getByRole('button', { name: 'Remove schedule' }));
    await waitFor(() => expect(server.calls('PATCH', PATH)).toHaveLength(1));
    expect(await patches(server)).toEqual([{ check_schedule: null }]);
  });

  it.each([
    ['check_schedule.timezone', 'Time zone', 'Unknown time zone: Mars/Olympus.'],
    ['check_schedule.read_data_subset', 'Read data subset', 'The subset must be between 0% and 100%.'],
    ['check_schedule.cron', 'Cron expression', 'The cron expression has no fire time.'],
    ['check_schedule.host_id', 'Preferred host', 'That host is not linked to office-nas.'],
  ])('puts the server’s refusal of %s on the %s field', async (field, label, message) => {
    const { user } = setup('admin', {
      schedule: weekly,
      patch: () => json(400, { code: 'repository.invalid_check_schedule', message, details: { field } }),
    });
    await user.click(await screen.findByRole('button', { name: 'Edit schedule' }));
    const form = screen.getByRole('form', { name: 'Check schedule' });
    await user.click(within(form).getByRole('button', { name: 'Save schedule' }));
    const input = within(form).getByLabelText(new RegExp(`^${label}`), { selector: 'input' });
    await waitFor(() => expect(input).toHaveAttribute('aria-invalid', 'true'));
    expect(input).toHaveAccessibleDescription(expect.stringContaining(message));
    await waitFor(() => expect(input).toHaveFocus());
    // On the field, not above the form.
    expect(within(form).queryByText('Could not save the check’s schedule')).not.toBeInTheDocument();
  });

  it('shows an error that names no field above the form, and the preview’s refusal while typing', async () => {
    const { user } = setup('admin', {
      patch: () => json(403, { code: 'auth.forbidden', message: 'You may not change repositories.', details: {} }),
    });
    await user.click(await screen.findByRole('button', { name: 'Schedule a check' }));
    const form = screen.getByRole('form', { name: 'Check schedule' });
    fireEvent.change(within(form).getByLabelText(/^Cron expression/), { target: { value: 'nonsense' } });
    expect(await within(form).findByText('Not a cron expression: nonsense.')).toBeInTheDocument();
    expect(within(form).getByRole('combobox', { name: 'Preset' })).toHaveValue('Custom expression');
    // Refused before it is sent: one field, not five.
    await user.click(within(form).getByRole('button', { name: 'Save schedule' }));
    expect(within(form).getByLabelText(/^Cron expression/)).toHaveAccessibleDescription(expect.stringContaining('Five fields: minute hour day-of-month month day-of-week'));
    fireEvent.change(within(form).getByLabelText(/^Cron expression/), { target: { value: '0 4 * * *' } });
    await user.click(within(form).getByRole('button', { name: 'Save schedule' }));
    expect(await within(form).findByText('You may not change repositories.')).toBeInTheDocument();
  });
});

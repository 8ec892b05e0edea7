// The schedule editor against a scripted server: a preset fills the cron field and the live
// preview shows the server's sentence and next five fires (or its refusal), Enter creates with
// the optional fields left out, the server's refusals land on the field they name, a manual
// schedule sends no cron, and editing replaces the schedule whole.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Host, Schedule } from '@/api/types';
import { HOST_ID, REPO_ID } from '@/test/jobs';
import { SCHEDULE_ID, makePreview, makeSchedule } from '@/test/schedules';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { ScheduleEditor } from './ScheduleEditor';

const host = makeHost({ id: HOST_ID, repository_ids: [REPO_ID], timezone: 'Europe/Berlin' });
const PREVIEW = '/api/v1/schedules/preview';
const CREATE = `/api/v1/hosts/${HOST_ID}/schedules`;

interface Options {
  schedule?: Schedule;
  h?: Host;
  preview?: Handler;
  save?: Handler;
}

function setup({ schedule, h = host, preview = () => json(200, makePreview()), save = () => json(201, makeSchedule()) }: Options = {}) {
  const onClose = vi.fn();
  const server = fakeServer({
    [`GET ${PREVIEW}`]: preview,
    [`POST ${CREATE}`]: save,
    [`PUT /api/v1/schedules/${SCHEDULE_ID}`]: save,
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<ScheduleEditor opened onClose={onClose} host={h} repositories={[makeRepository()]} schedule={schedule} />, {
    me: makeMe('operator'),
  });
  const dialog = screen.getByRole('dialog');
  const lastPreview = () => new URL(server.calls('GET', PREVIEW).at(-1)?.url ?? 'http://x/').searchParams;
  return { server, dialog, onClose, lastPreview, user: userEvent.setup() };
}

/** A change event sets a field at once (typing many characters is slow in jsdom). */
function fill(label: string, value: string) {
  // Required fields' labels end in " *"; a field's label is matched from its start.
  fireEvent.change(screen.getByLabelText(new RegExp(`^${label}`), { selector: 'input, textarea' }), { target: { value } });
}

async function lastBody(server: ReturnType<typeof fakeServer>, method: string, path: string): Promise<Record<string, unknown>> {
  await waitFor(() => expect(server.calls(method, path).length).toBeGreaterThan(0));
  return (await server.calls(method, path).at(-1)?.json()) as Record<string, unknown>;
}

describe('ScheduleEditor', () => {
  it('fills the cron field from a preset and previews it: the sentence and the next five fires', async () => {
    const { dialog, user, lastPreview } = setup({
      preview: (r) => {
        const cron = new URL(r.url).searchParams.get('cron');
        return json(200, makePreview({ description: cron === '0 */6 * * *' ? 'Every 6 hours, on the hour' : 'Every day at 03:00' }));
      },
    });
    // A new schedule starts on the daily preset, previewed in the host's zone.
    expect(within(dialog).getByRole('textbox', { name: /Cron expression/ })).toHaveValue('0 3 * * *');
    expect(await within(dialog).findByText('Every day at 03:00')).toBeInTheDocument();
    expect(lastPreview().get('host_id')).toBe(HOST_ID);
    expect(lastPreview().has('timezone')).toBe(false);

    await user.click(within(dialog).getByRole('combobox', { name: 'Preset' }));
    await user.click(await screen.findByRole('option', { name: 'Every 6 hours' }));
    expect(within(dialog).getByRole('textbox', { name: /Cron expression/ })).toHaveValue('0 */6 * * *');
    const preview = await within(dialog).findByTestId('cron-preview');
    await waitFor(() => expect(within(preview).getByTestId('cron-preview-sentence')).toHaveTextContent('Every 6 hours, on the hour'));
    expect(lastPreview().get('cron')).toBe('0 */6 * * *');
    const fires = within(preview).getAllByTestId('cron-preview-fire');
    expect(fires).toHaveLength(5);
    // 02:00 UTC is 03:00 in Berlin: the fires are written in the zone the schedule runs in.
    expect(fires[0]).toHaveTextContent(/2090.*03:00/);
    expect(preview).toHaveTextContent('Next runs, in Europe/Berlin (the host’s zone)');
  });

  it('names the preset an expression typed by hand is, or custom', () => {
    const { dialog } = setup();
    fill('Cron expression', '0 3 * * 0');
    expect(within(dialog).getByRole('combobox', { name: 'Preset' })).toHaveValue('Every Sunday at 03:00');
    fill('Cron expression', '15 4 * * 1-5');
    expect(within(dialog).getByRole('combobox', { name: 'Preset' })).toHaveValue('Custom: write the expression');
  });

  it('shows the server’s message when it refuses the expression', async () => {
    const message = 'The schedule "* * * * *" cannot be used: it fires every minute, more often than every 5 minutes.';
    const { dialog } = setup({
      preview: (r) =>
        new URL(r.url).searchParams.get('cron') === '* * * * *'
          ? json(400, { code: 'schedule.invalid_cron', message, details: { field: 'cron' } })
          : json(200, makePreview()),
    });
    await within(dialog).findByText('Every day at 03:00');
    fill('Cron expression', '* * * * *');
    await waitFor(() => expect(within(dialog).getByTestId('cron-preview')).toHaveAttribute('data-state', 'error'), { timeout: 3000 });
    expect(within(dialog).getByTestId('cron-preview')).toHaveTextContent(message);
    expect(within(dialog).queryByTestId('cron-preview-fire')).not.toBeInTheDocument();
  });

  it('creates with the optional fields left out, never sent as null', async () => {
    const { dialog, server, onClose } = setup();
    fill('Name', 'nightly');
    fill('Paths', '/etc\n/home\n');
    fireEvent.submit(within(dialog).getByRole('form'));
    const body = await lastBody(server, 'POST', CREATE);
    expect(body).toEqual({
      name: 'nightly',
      repository_id: REPO_ID,
      cron: '0 3 * * *',
      backup: { paths: ['/etc', '/home'], excludes: [], exclude_files: [], tags: [], one_file_system: false, extra_options: [] },
      enabled: true,
      forget_after_backup: false,
      prune_after_forget: false,
      missed: 'run_once',
    });
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  });

  it('submits with the Enter key from a one-line field', async () => {
    const { server, user } = setup();
    fill('Paths', '/etc');
    const name = screen.getByRole('textbox', { name: /^Name/ });
    await user.type(name, 'nightly{Enter}');
    const body = await lastBody(server, 'POST', CREATE);
    expect(body.name).toBe('nightly');
  });

  it('sends nothing while a rule is broken, and says which', async () => {
    const { dialog, server, user } = setup();
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    expect(await within(dialog).findByText('Name is required')).toBeInTheDocument();
    expect(within(dialog).getByText('Enter at least one path to back up, one per line')).toBeInTheDocument();
    fill('Name', 'nightly');
    fill('Paths', '/etc');
    await user.click(within(dialog).getByRole('switch', { name: /Forget after backup/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    expect(await within(dialog).findByText(/Set a rule that keeps something first/)).toBeInTheDocument();
    expect(server.calls('POST', CREATE)).toHaveLength(0);
  });

  it('puts the server’s refusal on the field it names, and a taken name on the name', async () => {
    let answer = { status: 400, code: 'schedule.invalid_backup', message: 'Exclude file "x" must be an absolute path on the host.', field: 'exclude_files' };
    const { dialog, user } = setup({
      save: () => json(answer.status, { code: answer.code, message: answer.message, details: answer.field ? { field: answer.field } : {} }),
    });
    fill('Name', 'nightly');
    fill('Paths', '/etc');
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    expect(await within(dialog).findByText(answer.message)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Exclude files/, { selector: 'textarea' })).toHaveAttribute('aria-invalid', 'true');

    answer = { status: 400, code: 'schedule.retention_keeps_nothing', message: '"Forget after backup" needs a retention policy that keeps something.', field: 'retention' };
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    expect(await within(dialog).findByTestId('retention-error')).toHaveTextContent(answer.message);

    answer = { status: 409, code: 'schedule.name_taken', message: 'web-01 already has a schedule named "nightly".', field: '' };
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    expect(await within(dialog).findByText(answer.message)).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: /^Name/ })).toHaveAttribute('aria-invalid', 'true');
    // On the fields, not repeated above the form.
    expect(within(dialog).queryByText('Could not save the schedule')).not.toBeInTheDocument();
  });

  it('shows a refusal that names no field above the form', async () => {
    const { dialog, user } = setup({
      save: () => json(409, { code: 'schedule.limit', message: 'web-01 already has 50 schedules, the most a host may hold.', details: {} }),
    });
    fill('Name', 'nightly');
    fill('Paths', '/etc');
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Could not save the schedule');
    expect(alert).toHaveTextContent('web-01 already has 50 schedules');
  });

  it('makes a manual schedule: no preview, no cron sent', async () => {
    const { dialog, server, user } = setup();
    fill('Name', 'on demand');
    fill('Paths', '/srv');
    await user.click(within(dialog).getByRole('radio', { name: /Manually, only when asked/ }));
    expect(within(dialog).queryByTestId('cron-preview')).not.toBeInTheDocument();
    expect(within(dialog).queryByRole('textbox', { name: /Cron expression/ })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    const body = await lastBody(server, 'POST', CREATE);
    expect(Object.hasOwn(body, 'cron')).toBe(false);
    expect(body.name).toBe('on demand');
  });

  it('edits a schedule: starts from it and replaces it whole', async () => {
    const stored = makeSchedule({ timezone: 'UTC', effective_timezone: 'UTC', missed: 'skip' });
    const { dialog, server, user } = setup({ schedule: stored, save: () => json(200, stored) });
    expect(within(dialog).getByRole('textbox', { name: /^Name/ })).toHaveValue('nightly');
    expect(within(dialog).getByLabelText(/^Paths/, { selector: 'textarea' })).toHaveValue('/etc\n/home');
    expect(within(dialog).getByRole('textbox', { name: 'Keep daily' })).toHaveValue('7');
    expect(within(dialog).getByRole('switch', { name: /Forget after backup/ })).toBeChecked();
    await user.click(within(dialog).getByRole('switch', { name: /^Enabled/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Save schedule' }));
    const body = await lastBody(server, 'PUT', `/api/v1/schedules/${SCHEDULE_ID}`);
    expect(body).toEqual({
      name: 'nightly',
      repository_id: REPO_ID,
      cron: '0 3 * * *',
      timezone: 'UTC',
      backup: stored.backup,
      retention: stored.retention,
      forget_after_backup: true,
      prune_after_forget: false,
      missed: 'skip',
      enabled: false,
    });
  });

  it('says to link a repository first when the host has none', () => {
    const { dialog } = setup({ h: makeHost({ id: HOST_ID, repository_ids: [] }) });
    expect(dialog).toHaveTextContent('Link a repository to web-01 on its Overview tab first.');
    expect(within(dialog).getByRole('button', { name: 'Create schedule' })).toBeDisabled();
  });
});

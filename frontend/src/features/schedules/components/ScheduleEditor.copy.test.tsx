// The schedule editor's "Copy to a mirror" against a scripted server: None by default (no
// copy_to sent), the host's other linked repositories to choose from by keyboard (copy_to in
// the save body), a stored mirror kept on edit and removed by None, the backup's repository
// never offered (and choosing it as the backup's drops the mirror), and the server's refusal
// on the field.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Host, Schedule } from '@/api/types';
import { HOST_ID, REPO_ID } from '@/test/jobs';
import { SCHEDULE_ID, makePreview, makeSchedule } from '@/test/schedules';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { ScheduleEditor } from './ScheduleEditor';

const MIRROR = '30000000-0000-4000-8000-0000000000b2';
const USB = '30000000-0000-4000-8000-0000000000cc';
const repositories = [makeRepository(), makeRepository({ id: MIRROR, name: 'offsite-b2' }), makeRepository({ id: USB, name: 'usb-disk' })];
const host = makeHost({ id: HOST_ID, repository_ids: [REPO_ID, MIRROR], timezone: 'Europe/Berlin' });
const CREATE = `/api/v1/hosts/${HOST_ID}/schedules`;
const REPLACE = `/api/v1/schedules/${SCHEDULE_ID}`;

function setup({ schedule, h = host, save = () => json(201, makeSchedule()) }: { schedule?: Schedule; h?: Host; save?: Handler } = {}) {
  const server = fakeServer({
    'GET /api/v1/schedules/preview': () => json(200, makePreview()),
    [`POST ${CREATE}`]: save,
    [`PUT ${REPLACE}`]: save,
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<ScheduleEditor opened onClose={vi.fn()} host={h} repositories={repositories} schedule={schedule} />, { me: makeMe('operator') });
  return { server, dialog: screen.getByRole('dialog'), user: userEvent.setup() };
}

/** What every save needs: a name, a path, and the repository (the host links two, so none is preselected). */
async function fillRequired(dialog: HTMLElement, user: ReturnType<typeof userEvent.setup>) {
  fill('Name', 'nightly');
  fill('Paths', '/etc');
  await user.click(within(dialog).getByRole('combobox', { name: /^Repository/ }));
  await user.click(await screen.findByRole('option', { name: 'office-nas' }));
}

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(new RegExp(`^${label}`), { selector: 'input, textarea' }), { target: { value } });
}

const mirrorSelect = (dialog: HTMLElement) => within(dialog).getByRole('combobox', { name: /^Copy to a mirror/ });

async function lastBody(server: ReturnType<typeof fakeServer>, method: string, path: string): Promise<Record<string, unknown>> {
  await waitFor(() => expect(server.calls(method, path).length).toBeGreaterThan(0));
  return (await server.calls(method, path).at(-1)?.json()) as Record<string, unknown>;
}

describe('ScheduleEditor: copy to a mirror', () => {
  it('offers None and the host’s other linked repositories, and sends no copy_to for None', async () => {
    const { dialog, server, user } = setup();
    expect(mirrorSelect(dialog)).toHaveValue('None');
    await fillRequired(dialog, user);
    await user.click(mirrorSelect(dialog));
    const options = (await screen.findAllByRole('option')).map((o) => o.textContent);
    // usb-disk is not linked to the host, and office-nas is the backup's own repository.
    expect(options).toEqual(['None', 'offsite-b2']);
    await user.keyboard('{Escape}');
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    const body = await lastBody(server, 'POST', CREATE);
    expect(Object.hasOwn(body, 'copy_to')).toBe(false);
  });

  it('is chosen with the keyboard and sent as copy_to', async () => {
    const { dialog, server, user } = setup();
    await fillRequired(dialog, user);
    await user.click(mirrorSelect(dialog));
    await user.keyboard('{Escape}');
    expect(mirrorSelect(dialog)).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    await screen.findByRole('listbox');
    await user.keyboard('{ArrowDown}{Enter}');
    await waitFor(() => expect(mirrorSelect(dialog)).toHaveValue('offsite-b2'));
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    const body = await lastBody(server, 'POST', CREATE);
    expect(body.copy_to).toBe(MIRROR);
    expect(body.repository_id).toBe(REPO_ID);
  });

  it('keeps a stored mirror on edit, and None removes it', async () => {
    const stored = makeSchedule({ copy_to: MIRROR });
    const { dialog, server, user } = setup({ schedule: stored, save: () => json(200, stored) });
    expect(mirrorSelect(dialog)).toHaveValue('offsite-b2');
    await user.click(within(dialog).getByRole('button', { name: 'Save schedule' }));
    expect((await lastBody(server, 'PUT', REPLACE)).copy_to).toBe(MIRROR);

    await user.click(mirrorSelect(dialog));
    await user.click(await screen.findByRole('option', { name: 'None' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save schedule' }));
    await waitFor(() => expect(server.calls('PUT', REPLACE)).toHaveLength(2));
    expect(Object.hasOwn((await server.calls('PUT', REPLACE)[1]!.json()) as object, 'copy_to')).toBe(false);
  });

  it('drops the mirror when it becomes the repository backed up to', async () => {
    const { dialog, user } = setup({ schedule: makeSchedule({ copy_to: MIRROR }) });
    await user.click(within(dialog).getByRole('combobox', { name: /^Repository/ }));
    await user.click(await screen.findByRole('option', { name: 'offsite-b2' }));
    expect(mirrorSelect(dialog)).toHaveValue('None');
  });

  it('says to link a second repository when the host has only one', () => {
    const { dialog } = setup({ h: makeHost({ id: HOST_ID, repository_ids: [REPO_ID] }) });
    expect(mirrorSelect(dialog)).toBeDisabled();
    expect(within(dialog).getByTestId('copy-to-fieldset')).toHaveTextContent('Link a second repository to web-01');
  });

  it('puts the server’s copy_to refusal on the field', async () => {
    const message = 'The copy target must be a second repository linked to web-01.';
    const { dialog, user } = setup({
      save: () => json(400, { code: 'schedule.repository_not_linked', message, details: { field: 'copy_to' } }),
    });
    await fillRequired(dialog, user);
    await user.click(mirrorSelect(dialog));
    await user.click(await screen.findByRole('option', { name: 'offsite-b2' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    expect(await within(within(dialog).getByTestId('copy-to-fieldset')).findByText(message)).toBeInTheDocument();
    expect(mirrorSelect(dialog)).toHaveAttribute('aria-invalid', 'true');
    await waitFor(() => expect(mirrorSelect(dialog)).toHaveFocus());
    expect(within(dialog).queryByText('Could not save the schedule')).not.toBeInTheDocument();
  });
});

// The schedule editor's retention preview against a scripted server: disabled with a hint
// while the rules are empty, the request (this host, its hostname, the rules, the backup's
// tags only when set), the answer newest first with reasons and the guard's warning, the
// server's refusal message, a result dimmed once the rules change, and no button for viewers.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Role, Schedule } from '@/api/types';
import { HOST_ID, REPO_ID, makeForgetSnapshot } from '@/test/jobs';
import { makePreview, makeSchedule } from '@/test/schedules';
import { fakeServer, json, makeHost, makeMe, makeRepository, renderWithProviders, type Handler } from '@/test/utils';
import { ScheduleEditor } from './ScheduleEditor';

const host = makeHost({ id: HOST_ID, hostname: 'web-01', repository_ids: [REPO_ID] });
const PREVIEW = `/api/v1/repositories/${REPO_ID}/retention-preview`;

const answer = {
  keep: [makeForgetSnapshot(1, ['last snapshot', 'daily snapshot'])],
  remove: [makeForgetSnapshot(4), makeForgetSnapshot(2)],
  blocked_by: 'it would remove 2 of 3 snapshots, more than this repository’s limit of 50 %',
  checked_at: '2025-03-01T10:00:00Z',
};

function setup(role: Role = 'operator', schedule: Schedule | null = makeSchedule(), preview: Handler = () => json(200, answer)) {
  const server = fakeServer({
    'GET /api/v1/schedules/preview': () => json(200, makePreview()),
    [`POST ${PREVIEW}`]: preview,
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<ScheduleEditor opened onClose={vi.fn()} host={host} repositories={[makeRepository()]} schedule={schedule ?? undefined} />, {
    me: makeMe(role),
  });
  return { server, dialog: screen.getByRole('dialog'), user: userEvent.setup() };
}

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(new RegExp(`^${label}`), { selector: 'input, textarea' }), { target: { value } });
}

describe('ScheduleEditor retention preview', () => {
  it('is disabled with a hint while no rule is set', () => {
    const { dialog } = setup('operator', null);
    expect(within(dialog).getByRole('button', { name: 'Preview retention' })).toBeDisabled();
    expect(within(dialog).getByTestId('retention-preview-hint')).toHaveTextContent('Set at least one rule to preview it.');
  });

  it('asks about this host’s snapshots under the form’s rules, without tags when the backup has none', async () => {
    const { dialog, server, user } = setup();
    await user.click(within(dialog).getByRole('button', { name: 'Preview retention' }));
    await waitFor(() => expect(server.calls('POST', PREVIEW)).toHaveLength(1));
    expect(await server.calls('POST', PREVIEW)[0]!.json()).toEqual({
      host_id: HOST_ID,
      host: 'web-01',
      policy: { keep_daily: 7, keep_weekly: 4, keep_tags: [] },
    });

    const result = await within(dialog).findByTestId('retention-preview');
    expect(within(result).getByTestId('retention-preview-blocked')).toHaveTextContent(
      'The delete guard would block this: it would remove 2 of 3 snapshots',
    );
    expect(within(result).getByTestId('retention-preview-summary')).toHaveTextContent('It would keep 1 and remove 2 snapshots.');
    const rows = within(result).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-testid'))).toEqual(['forget-kept', 'forget-removed', 'forget-removed']);
    expect(rows[0]).toHaveTextContent('last snapshot, daily snapshot');
    expect(rows[1]).toHaveTextContent('22222222');
    expect(rows[2]).toHaveTextContent('44444444');

    // A changed rule makes the answer stale until asked again.
    expect(result).toHaveAttribute('data-stale', 'false');
    fill('Keep daily', '3');
    expect(within(dialog).getByTestId('retention-preview')).toHaveAttribute('data-stale', 'true');
  });

  it('sends the backup’s tags when it has some', async () => {
    const { dialog, server, user } = setup('admin', makeSchedule({ backup: { ...makeSchedule().backup, tags: ['nightly', 'db'] } }));
    await user.click(within(dialog).getByRole('button', { name: 'Preview retention' }));
    await waitFor(() => expect(server.calls('POST', PREVIEW)).toHaveLength(1));
    expect(await server.calls('POST', PREVIEW)[0]!.json()).toMatchObject({ tags: ['nightly', 'db'], host: 'web-01' });
  });

  it('shows the server’s message when the agent cannot answer', async () => {
    const message = 'The agent of web-01 did not answer within 20 s.';
    const { dialog, user } = setup('operator', makeSchedule(), () => json(504, { code: 'agent.no_answer', message, details: {} }));
    await user.click(within(dialog).getByRole('button', { name: 'Preview retention' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(message);
    expect(within(dialog).queryByTestId('retention-preview')).not.toBeInTheDocument();
  });

  it('is not offered without repos_maintain', () => {
    const { dialog } = setup('viewer');
    expect(within(dialog).queryByRole('button', { name: 'Preview retention' })).not.toBeInTheDocument();
  });
});

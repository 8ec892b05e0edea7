// The audit log against a scripted server: a text search's short pages that still carry
// `next_before` (the server searched one window of events and older ones remain) make the page
// ask for the next window by itself, at most ten per click, and say what it is doing.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '@/api/types';
import { fakeServer, json, makeMe, renderWithProviders } from '@/test/utils';
import { AuditPage } from './AuditPage';

function event(id: number, action: string): AuditEvent {
  return {
    id,
    time: '2026-03-01T10:00:00Z',
    actor_kind: 'user',
    actor_name: 'ada',
    action,
    outcome: 'success',
    details: {},
    hash: 'ab'.repeat(32),
  };
}

/** Answers `before` → page; a missing entry is an empty last page. */
function setup(pages: Record<string, { items: AuditEvent[]; next_before?: number }>) {
  const server = fakeServer({
    'GET /api/v1/audit': (request) => {
      const before = new URL(request.url).searchParams.get('before') ?? 'first';
      return json(200, pages[before] ?? { items: [] });
    },
    'GET /api/v1/history-settings': () => json(200, { job_logs_days: 30, jobs_days: 180, jobs_keep_per_host: 20, audit_days: 400 }),
  });
  vi.stubGlobal('fetch', server.fetch);
  renderWithProviders(<AuditPage />, { me: makeMe('admin') });
  const befores = () => server.calls('GET', '/api/v1/audit').map((r) => new URL(r.url).searchParams.get('before'));
  return { befores };
}

describe('AuditPage', () => {
  it('searches on through empty windows until it finds events', async () => {
    const { befores } = setup({
      first: { items: [], next_before: 40_001 },
      '40001': { items: [], next_before: 20_001 },
      '20001': { items: [event(1234, 'user.create')] },
    });
    expect(await screen.findByText('user.create')).toBeInTheDocument();
    expect(befores()).toEqual([null, '40001', '20001']);
    expect(screen.getByTestId('audit-count')).toHaveTextContent('Showing 1 event, newest first');
    expect(screen.getByText('End of the log')).toBeInTheDocument();
  });

  it('stops after ten windows and lets the user search older events', async () => {
    // Every window is empty and older events always remain.
    const pages: Record<string, { items: AuditEvent[]; next_before: number }> = {
      first: { items: [], next_before: 1_000_000 },
    };
    for (let b = 1_000_000; b > 0; b -= 20_000) pages[String(b)] = { items: [], next_before: b - 20_000 };
    const { befores } = setup(pages);
    expect(await screen.findByText('No match among the newest events searched so far.')).toBeInTheDocument();
    // The first page and ten more, then it waits.
    expect(befores()).toHaveLength(11);
    await userEvent.click(screen.getByRole('button', { name: 'Search older events' }));
    await waitFor(() => expect(befores()).toHaveLength(22));
    expect(screen.getByText('No match among the newest events searched so far.')).toBeInTheDocument();
  });
});

// A preflight report's headline: the state said plainly, never claiming the agent checked
// when it did not.
import { describe, expect, it } from 'vitest';
import { reportHeadline } from './preflight';

describe('reportHeadline', () => {
  it('says plainly what the state means, and does not claim the agent checked when it did not', () => {
    expect(reportHeadline({ state: 'ready', agent_checked: true })).toBe('Ready: the server and the agent found nothing to fix.');
    expect(reportHeadline({ state: 'ready', agent_checked: false })).toBe('The server found nothing to fix; the agent did not check it.');
    expect(reportHeadline({ state: 'blocked', agent_checked: true })).toMatch(/^Blocked/);
    expect(reportHeadline({ state: 'warning', agent_checked: false })).toBe('Warning: the agent could not check it.');
  });
});

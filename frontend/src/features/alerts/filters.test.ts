// The alerts page's URL filters: unresolved by default (and left out of the URL), severities
// repeated, unknown values ignored, and the list request they make.
import { describe, expect, it } from 'vitest';
import { alertsQuery, filtersFromParams, isFiltered, withFilter } from './filters';

describe('alert filters', () => {
  it('reads unresolved by default and ignores unknown values', () => {
    const f = filtersFromParams(new URLSearchParams('state=bogus&severity=critical&severity=nope&severity=info&rule=nope'));
    expect(f).toEqual({ state: 'unresolved', severity: ['info', 'critical'], rule: null, hostId: null });
    expect(isFiltered(f)).toBe(true);
    expect(isFiltered(filtersFromParams(new URLSearchParams('state=resolved')))).toBe(false);
  });

  it('writes one filter at a time, leaving the default state out', () => {
    let p = withFilter(new URLSearchParams('host_id=h1'), { field: 'state', value: 'resolved' });
    expect(p.toString()).toBe('host_id=h1&state=resolved');
    p = withFilter(p, { field: 'severity', value: ['error', 'critical'] });
    expect(p.getAll('severity')).toEqual(['error', 'critical']);
    p = withFilter(p, { field: 'state', value: 'unresolved' });
    p = withFilter(p, { field: 'hostId', value: null });
    p = withFilter(p, { field: 'rule', value: 'agent_offline' });
    expect(p.toString()).toBe('severity=error&severity=critical&rule=agent_offline');
  });

  it('asks for open and acknowledged when unresolved, and no state for all', () => {
    const base = filtersFromParams(new URLSearchParams(''));
    expect(alertsQuery(base)).toEqual({ state: ['open', 'acknowledged'], severity: undefined, rule: undefined, host_id: undefined });
    expect(alertsQuery({ ...base, state: 'all', severity: ['warning'], hostId: 'h1' })).toEqual({
      state: undefined,
      severity: ['warning'],
      rule: undefined,
      host_id: 'h1',
    });
  });
});

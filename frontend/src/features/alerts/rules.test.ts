// A rule's form values and request: integer thresholds only, an empty tag left out (every host),
// and the ranges the server gives in `thresholds`.
import { describe, expect, it } from 'vitest';
import { makeAlertRule } from '@/test/alerts';
import { paramLabel, paramsOf, rangeOf, ruleRequest, ruleValues } from './rules';

describe('alert rule form', () => {
  it('keeps integer thresholds only', () => {
    expect(paramsOf({ params: { minutes: 15, note: 'x', ratio: 0.5 } })).toEqual({ minutes: 15 });
    expect(paramsOf({ params: null })).toEqual({});
    expect(paramsOf({ params: [1, 2] })).toEqual({});
  });

  it('builds the request, leaving an empty tag out', () => {
    const values = ruleValues(makeAlertRule());
    expect(values).toEqual({ enabled: true, severity: 'error', params: { minutes: 15 }, hostTag: '' });
    expect(ruleRequest({ ...values, params: { minutes: '30' } })).toEqual({ enabled: true, severity: 'error', params: { minutes: 30 } });
    expect(ruleRequest({ ...values, params: {}, hostTag: ' prod ' })).toEqual({ enabled: true, severity: 'error', host_tag: 'prod' });
  });

  it('reads a threshold range from the server and names thresholds for people', () => {
    const rule = { thresholds: [{ name: 'minutes', default: 15, min: 2, max: 10_080 }] };
    expect(rangeOf(rule, 'minutes')).toEqual({ min: 2, max: 10_080, default: 15 });
    expect(rangeOf(rule, 'hours')).toBeUndefined();
    expect(rangeOf({ thresholds: [] }, 'minutes')).toBeUndefined();
    expect(paramLabel('escalate_after')).toBe('Escalate after (failures in a row)');
    expect(paramLabel('min_mib')).toBe('At least (MiB added)');
    expect(paramLabel('some_new_key')).toBe('Some new key');
  });
});

// A rule's form values and request: integer thresholds only, an empty tag left out (every host),
// and the ranges read from the rule's description.
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

  it('finds a threshold range in the description', () => {
    expect(rangeOf('An agent has not been in touch for `minutes` (15, range 2–10,080).', 'minutes')).toEqual({ min: 2, max: 10_080 });
    expect(rangeOf('At `escalate_after` (3, range 2-100) failures in a row', 'escalate_after')).toEqual({ min: 2, max: 100 });
    expect(rangeOf('No numbers here about minutes.', 'minutes')).toBeUndefined();
    expect(rangeOf('Something else', 'minutes')).toBeUndefined();
    expect(paramLabel('escalate_after')).toBe('Escalate after');
  });
});

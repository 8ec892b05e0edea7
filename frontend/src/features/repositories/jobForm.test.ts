// The repository operations' request bodies (optional fields left out, never null), their
// checks, and the delete guard's request and sentence.
import { describe, expect, it } from 'vitest';
import { forgetPreviewRequest, guardRequest, guardSentence, newOperationValues, operationRequest, validateGuard, validateOperation } from './jobForm';

const HOST = 'h-1';
const base = newOperationValues(HOST);

describe('operation requests', () => {
  it('sends a forget with only the rules and filters that are set', () => {
    expect(operationRequest('forget', { ...base, keepDaily: 7, keepWeekly: 4 })).toEqual({
      host_id: HOST,
      args: { kind: 'forget', policy: { keep_daily: 7, keep_weekly: 4, keep_tags: [] } },
    });
    expect(
      operationRequest('forget', { ...base, keepLast: 3, keepWithin: ' 30d ', hostFilter: ' web-01 ', tags: ['nightly', ' '], prune: true, maxUnused: '2G' }),
    ).toEqual({
      host_id: HOST,
      args: { kind: 'forget', policy: { keep_last: 3, keep_within: '30d', keep_tags: [] }, host: 'web-01', tags: ['nightly'], prune: true, max_unused: '2G' },
    });
  });

  it('drops max unused when the forget does not prune', () => {
    expect(operationRequest('forget', { ...base, keepLast: 1, maxUnused: '5%' }).args).not.toHaveProperty('max_unused');
  });

  it('sends prune, check, unlock and stats with their options only when given', () => {
    expect(operationRequest('prune', base).args).toEqual({ kind: 'prune' });
    expect(operationRequest('prune', { ...base, maxUnused: 'unlimited' }).args).toEqual({ kind: 'prune', max_unused: 'unlimited' });
    expect(operationRequest('prune', { ...base, maxRepackSize: ' 2G ', repackSmall: true, repackUncompressed: true }).args).toEqual({
      kind: 'prune',
      max_repack_size: '2G',
      repack_small: true,
      repack_uncompressed: true,
    });
    expect(operationRequest('check', base).args).toEqual({ kind: 'check' });
    expect(operationRequest('check', { ...base, readDataSubset: '10%' }).args).toEqual({ kind: 'check', read_data_subset: '10%' });
    expect(operationRequest('unlock', base).args).toEqual({ kind: 'unlock' });
    expect(operationRequest('unlock', { ...base, removeAll: true, confirmName: 'nas' }).args).toEqual({ kind: 'unlock', remove_all: true });
    expect(operationRequest('stats', { ...base, keepDaily: 7 })).toEqual({ host_id: HOST, args: { kind: 'stats' } });
  });

  it('previews a forget with its scope, and not without a rule or host', () => {
    expect(forgetPreviewRequest({ ...base, keepDaily: 2, hostFilter: 'web-01' })).toEqual({ host_id: HOST, policy: { keep_daily: 2, keep_tags: [] }, host: 'web-01' });
    expect(forgetPreviewRequest(base)).toBeNull();
    expect(forgetPreviewRequest({ ...base, hostId: null, keepDaily: 2 })).toBeNull();
  });

  it('refuses what the server would', () => {
    expect(validateOperation('forget', base, 'nas')).toHaveProperty('policy');
    expect(validateOperation('forget', { ...base, keepWithin: '30 days' }, 'nas')).toHaveProperty('keepWithin');
    expect(validateOperation('prune', { ...base, maxUnused: 'lots' }, 'nas')).toHaveProperty('maxUnused');
    for (const bad of ['5%', 'unlimited', '2GB']) expect(validateOperation('prune', { ...base, maxRepackSize: bad }, 'nas'), bad).toHaveProperty('maxRepackSize');
    expect(validateOperation('prune', { ...base, maxRepackSize: '500M' }, 'nas')).not.toHaveProperty('maxRepackSize');
    expect(validateOperation('check', { ...base, readDataSubset: '1/5' }, 'nas')).toEqual({});
    expect(validateOperation('check', { ...base, readDataSubset: 'half' }, 'nas')).toHaveProperty('readDataSubset');
    expect(validateOperation('unlock', { ...base, removeAll: true, confirmName: 'na' }, 'nas')).toHaveProperty('confirmName');
    expect(validateOperation('stats', { ...base, hostId: null }, 'nas')).toHaveProperty('hostId');
  });
});

describe('delete guard', () => {
  it('sends the whole guard with empty limits left out', () => {
    expect(guardRequest({ maxDeleteCount: '', maxDeletePercent: 30, minKeep: 2 })).toEqual({ max_delete_percent: 30, min_keep: 2 });
    expect(guardRequest({ maxDeleteCount: 10, maxDeletePercent: '', minKeep: 0 })).toEqual({ max_delete_count: 10, min_keep: 0 });
    expect(validateGuard({ maxDeleteCount: 0, maxDeletePercent: 101, minKeep: '' })).toEqual({
      maxDeleteCount: 'A whole number from 1 to 100,000',
      maxDeletePercent: 'A whole number from 1 to 100',
      minKeep: 'Required',
    });
  });

  it('says the guard in a sentence', () => {
    expect(guardSentence({ max_delete_percent: 50, min_keep: 1 })).toBe('One forget removes at most 50 % of its snapshots; each group keeps at least 1.');
    expect(guardSentence({ min_keep: 0 })).toBe('No limit on how many snapshots one forget removes; each group keeps at least 0.');
  });
});

// Copy to a mirror, pure: the body posted to the mirror's jobs (this repository as the source,
// filters left out when empty), the form's checks, which mirrors a host may copy to, and the
// staleness label's thresholds (0 up to date, under 26 h yellow, from 26 h red, absent gray).
import { describe, expect, it } from 'vitest';
import { makeRepository } from '@/test/utils';
import { STALE_AFTER_SECONDS, copyRequest, defaultMirror, mirrorChoices, newCopyValues, stalenessOf, validateCopy } from './copies';

const SOURCE = 'repo-source';
const source = makeRepository({ id: SOURCE, name: 'office-nas' });
const b2 = makeRepository({ id: 'repo-b2', name: 'offsite-b2' });
const usb = makeRepository({ id: 'repo-usb', name: 'usb-disk' });

describe('copy requests', () => {
  it('names this repository the source and leaves empty filters out', () => {
    expect(copyRequest(SOURCE, newCopyValues('h-1', 'repo-b2'))).toEqual({ host_id: 'h-1', args: { kind: 'copy', from_repository_id: SOURCE } });
  });

  it('sends the host name and tags when given, trimmed', () => {
    expect(copyRequest(SOURCE, { hostId: 'h-1', mirrorId: 'repo-b2', hostFilter: ' web-01 ', tags: ['nightly', ' ', ' db '] })).toEqual({
      host_id: 'h-1',
      args: { kind: 'copy', from_repository_id: SOURCE, host: 'web-01', tags: ['nightly', 'db'] },
    });
  });
});

describe('mirror choices', () => {
  const host = { repository_ids: [SOURCE, 'repo-b2'] };

  it('offers every other repository, the host’s linked ones first', () => {
    const choices = mirrorChoices(SOURCE, [usb, source, b2], host);
    expect(choices.map((c) => [c.repository.name, c.linked])).toEqual([
      ['offsite-b2', true],
      ['usb-disk', false],
    ]);
    expect(defaultMirror(choices)).toBe('repo-b2');
  });

  it('chooses no mirror when the host links none or several', () => {
    expect(defaultMirror(mirrorChoices(SOURCE, [source, b2, usb], { repository_ids: [SOURCE] }))).toBeNull();
    expect(defaultMirror(mirrorChoices(SOURCE, [source, b2, usb], { repository_ids: [SOURCE, 'repo-b2', 'repo-usb'] }))).toBeNull();
    expect(mirrorChoices(SOURCE, [source, b2], undefined).every((c) => !c.linked)).toBe(true);
  });

  it('needs a host and a mirror the host has linked', () => {
    const choices = mirrorChoices(SOURCE, [source, b2, usb], host);
    expect(validateCopy(newCopyValues(null, null), choices)).toEqual({
      hostId: 'Choose the host whose agent runs it',
      mirrorId: 'Choose the repository to copy to',
    });
    expect(validateCopy(newCopyValues('h-1', 'repo-usb'), choices).mirrorId).toMatch(/must have this repository linked too/);
    expect(validateCopy(newCopyValues('h-1', 'repo-b2'), choices)).toEqual({});
  });
});

describe('staleness', () => {
  it('says up to date at 0', () => {
    expect(stalenessOf(0)).toEqual({ level: 'current', label: 'up to date', color: 'green' });
  });

  it('says how far behind, yellow under 26 h', () => {
    expect(stalenessOf(2 * 3600)).toEqual({ level: 'behind', label: 'behind by 2 h', color: 'yellow' });
    expect(stalenessOf(45 * 60).label).toBe('behind by 45 min');
    expect(stalenessOf(30).label).toBe('behind by 30 s');
    // Rounded down: 25 h 59 min is still "25 h", and still yellow.
    expect(stalenessOf(STALE_AFTER_SECONDS - 60)).toEqual({ level: 'behind', label: 'behind by 25 h', color: 'yellow' });
  });

  it('turns red from 26 h', () => {
    expect(stalenessOf(STALE_AFTER_SECONDS)).toEqual({ level: 'stale', label: 'behind by 26 h', color: 'red' });
    expect(stalenessOf(3 * 86_400 + 5 * 3600)).toEqual({ level: 'stale', label: 'behind by 3 d', color: 'red' });
  });

  it('says not measured yet when the server has no measure', () => {
    expect(stalenessOf(undefined)).toEqual({ level: 'unmeasured', label: 'not measured yet', color: 'gray' });
  });
});

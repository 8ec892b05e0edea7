// The backup option rules shared by the backup form and the schedule editor: the server's
// counts, lengths and forms, checked before anything is sent.
import { describe, expect, it } from 'vitest';
import { excludeFilesRule, excludesRule, limitRule, lines, pathsRule, tagsRule } from './backupRules';

describe('backup form rules', () => {
  it('needs at least one absolute path', () => {
    expect(pathsRule('')).toMatch(/at least one path/);
    expect(pathsRule('  \n \n')).toMatch(/at least one path/);
    expect(pathsRule('/etc\nhome/ada')).toBe('“home/ada” is not an absolute path: start it with /');
    expect(pathsRule(' /etc \n\n/home ')).toBeNull();
    expect(lines(' /etc \n\n/home ')).toEqual(['/etc', '/home']);
  });

  it('keeps to the server’s counts and lengths', () => {
    expect(pathsRule(Array.from({ length: 101 }, (_, i) => `/p${i}`).join('\n'))).toBe('At most 100 paths per backup (101 entered)');
    expect(pathsRule(`/${'a'.repeat(4095)}`)).toBeNull();
    expect(pathsRule(`/${'a'.repeat(4096)}`)).toMatch(/is too long: at most 4096 characters/);
    expect(excludesRule(Array.from({ length: 201 }, (_, i) => `*.t${i}`).join('\n'))).toBe('At most 200 exclude patterns (201 entered)');
    expect(excludesRule('x'.repeat(4097))).toMatch(/is too long: at most 4096 characters/);
    expect(tagsRule(Array.from({ length: 21 }, (_, i) => `t${i}`))).toBe('At most 20 tags');
    expect(tagsRule(['x'.repeat(65)])).toMatch(/up to 64 characters/);
  });

  it('refuses tags restic would not take', () => {
    expect(tagsRule(['daily', 'pre-upgrade'])).toBeNull();
    expect(tagsRule(['two words'])).toMatch(/no commas or spaces/);
  });
});

describe('schedule-only backup options', () => {
  it('takes up to 20 absolute exclude files', () => {
    expect(excludeFilesRule('')).toBeNull();
    expect(excludeFilesRule('/etc/restic/excludes\n/root/.excludes')).toBeNull();
    expect(excludeFilesRule('excludes.txt')).toBe('“excludes.txt” is not an absolute path on the host: start it with /');
    expect(excludeFilesRule(Array.from({ length: 21 }, (_, i) => `/x${i}`).join('\n'))).toBe('At most 20 exclude files (21 entered)');
  });

  it('takes an empty bandwidth limit or a whole number of KiB/s from 1 to 10,000,000', () => {
    expect(limitRule('')).toBeNull();
    expect(limitRule(1)).toBeNull();
    expect(limitRule(10_000_000)).toBeNull();
    for (const bad of [0, -5, 1.5, 10_000_001]) expect(limitRule(bad), String(bad)).toMatch(/^Enter 1–10,000,000 KiB\/s/);
  });
});

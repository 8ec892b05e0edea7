// The restore wizard's rules: the body it sends for each target, what it asks to confirm, the
// target's checks, and the download links.
import { describe, expect, it } from 'vitest';
import { buildRestoreBody, confirmRules, downloadUrl, initialRestoreForm, isSystemDir, targetProblems, type RestoreForm } from './restore';

const SNAP = 'a'.repeat(64);
const form = (overrides: Partial<RestoreForm> = {}): RestoreForm => ({ ...initialRestoreForm(['/etc/nginx', '/home/ada/cv.pdf']), ...overrides });

describe('buildRestoreBody', () => {
  it('restores into a new directory by default, with if_changed and no confirmations', () => {
    const body = buildRestoreBody(form({ newPath: ' /srv/restore ' }), SNAP, 'repo-1');
    expect(body).toEqual({
      snapshot_id: SNAP,
      repository_id: 'repo-1',
      paths: ['/etc/nginx', '/home/ada/cv.pdf'],
      target: { mode: 'new_path', path: '/srv/restore' },
      overwrite: 'if_changed',
      delete_extra: false,
      verify: false,
      confirm_risk: false,
    });
  });

  it('sends the typed host name for the original location and no path', () => {
    const body = buildRestoreBody(form({ mode: 'original', confirmHostname: ' web-01 ', deleteExtra: true, confirmRisk: true }), SNAP, null);
    expect(body.target).toEqual({ mode: 'original' });
    expect(body.confirm_hostname).toBe('web-01');
    expect(body.delete_extra).toBe(true);
    expect(body.confirm_risk).toBe(true);
    expect(body).not.toHaveProperty('repository_id');
  });

  it('names the other host, to a new directory or its original paths', () => {
    const other = buildRestoreBody(form({ mode: 'other_host', otherHostId: 'host-2', newPath: '/tmp/x' }), SNAP, null);
    expect(other.target_host_id).toBe('host-2');
    expect(other.target).toEqual({ mode: 'new_path', path: '/tmp/x' });
    expect(other).not.toHaveProperty('confirm_hostname');
    const back = buildRestoreBody(form({ mode: 'other_host', otherHostId: 'host-2', otherOriginal: true }), SNAP, null);
    expect(back.target).toEqual({ mode: 'original' });
  });

  it('sends exclude patterns one a line, blank lines dropped, and none when empty', () => {
    expect(buildRestoreBody(form({ excludes: '*.log\n\n  cache/ \n' }), SNAP, null).excludes).toEqual(['*.log', 'cache/']);
    expect(buildRestoreBody(form({ excludes: ' \n' }), SNAP, null)).not.toHaveProperty('excludes');
  });
});

describe('confirmRules', () => {
  it('needs nothing for a new directory outside the system', () => {
    expect(confirmRules(form(), 'web-01')).toMatchObject({ needsHostname: false, needsRisk: false, ready: true });
  });

  it('needs the exact host name for the original location', () => {
    expect(confirmRules(form({ mode: 'original', confirmHostname: 'web-1' }), 'web-01')).toMatchObject({ needsHostname: true, ready: false });
    expect(confirmRules(form({ mode: 'original', confirmHostname: 'web-01' }), 'web-01').ready).toBe(true);
  });

  it('needs the risk checkbox to delete at the original location, not in a new directory', () => {
    const original = form({ mode: 'original', confirmHostname: 'web-01', deleteExtra: true });
    expect(confirmRules(original, 'web-01')).toMatchObject({ needsRisk: true, ready: false });
    expect(confirmRules({ ...original, confirmRisk: true }, 'web-01').ready).toBe(true);
    expect(confirmRules(form({ deleteExtra: true }), 'web-01').needsRisk).toBe(false);
  });

  it('needs the risk checkbox for a system directory target', () => {
    expect(confirmRules(form({ newPath: '/etc/' }), 'web-01')).toMatchObject({ needsRisk: true, ready: false });
    expect(isSystemDir('/etc/nginx')).toBe(false);
    expect(isSystemDir('/')).toBe(true);
  });
});

describe('targetProblems', () => {
  it('asks for an absolute directory and, on another host, the host', () => {
    expect(targetProblems(form({ newPath: '' })).newPath).toMatch(/Type the directory/);
    expect(targetProblems(form({ newPath: 'restore' })).newPath).toMatch(/absolute/);
    expect(targetProblems(form({ mode: 'other_host' })).otherHostId).toMatch(/Pick the host/);
    expect(targetProblems(form({ mode: 'original', newPath: '' }))).toEqual({});
  });
});

describe('downloadUrl', () => {
  it('is the API path with the path, repository and format in the query', () => {
    const url = new URL(downloadUrl('h 1', SNAP, 'repo-1', '/home/ada/my cv.pdf', 'raw'), 'http://x');
    expect(url.pathname).toBe(`/api/v1/hosts/h%201/snapshots/${SNAP}/download`);
    expect(url.searchParams.get('path')).toBe('/home/ada/my cv.pdf');
    expect(url.searchParams.get('repository_id')).toBe('repo-1');
    expect(url.searchParams.get('format')).toBe('raw');
  });
});

import { describe, expect, it } from 'vitest';
import { baseName, childPath, formatMode, octalMode, parentPath, pathSegments } from './tree';

describe('snapshot paths', () => {
  it('splits a path into clickable segments from the root', () => {
    expect(pathSegments('/')).toEqual([{ name: '/', path: '/' }]);
    expect(pathSegments('/tmp/src/small')).toEqual([
      { name: '/', path: '/' },
      { name: 'tmp', path: '/tmp' },
      { name: 'src', path: '/tmp/src' },
      { name: 'small', path: '/tmp/src/small' },
    ]);
  });

  it('goes up and down', () => {
    expect(parentPath('/')).toBe('/');
    expect(parentPath('/etc')).toBe('/');
    expect(parentPath('/etc/nginx/nginx.conf')).toBe('/etc/nginx');
    expect(childPath('/', 'etc')).toBe('/etc');
    expect(childPath('/etc', 'nginx')).toBe('/etc/nginx');
    expect(baseName('/etc/nginx/nginx.conf')).toBe('nginx.conf');
    expect(baseName('/')).toBe('/');
  });
});

describe('formatMode', () => {
  it('prints the mode as ls -l does', () => {
    expect(formatMode(0o644, 'file')).toBe('-rw-r--r--');
    expect(formatMode(420, 'file')).toBe('-rw-r--r--');
    expect(formatMode(0o755, 'dir')).toBe('drwxr-xr-x');
    expect(formatMode(0o777, 'symlink')).toBe('lrwxrwxrwx');
    expect(formatMode(0o600, 'socket')).toBe('srw-------');
    expect(formatMode(0o660, 'dev')).toBe('brw-rw----');
    expect(formatMode(0o620, 'chardev')).toBe('crw--w----');
    expect(formatMode(0o644, 'fifo')).toBe('prw-r--r--');
    expect(formatMode(0o644, 'whatever')).toBe('?rw-r--r--');
  });

  it('shows set-id and sticky bits in the execute places', () => {
    expect(formatMode(0o4755, 'file')).toBe('-rwsr-xr-x');
    expect(formatMode(0o2755, 'dir')).toBe('drwxr-sr-x');
    expect(formatMode(0o1777, 'dir')).toBe('drwxrwxrwt');
    expect(formatMode(0o4644, 'file')).toBe('-rwSr--r--');
    expect(formatMode(0o1776, 'dir')).toBe('drwxrwxrwT');
  });

  it('gives the octal form chmod takes', () => {
    expect(octalMode(420)).toBe('0644');
    expect(octalMode(0o4755)).toBe('04755');
    expect(octalMode(0)).toBe('0000');
  });
});

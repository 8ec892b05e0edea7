// Command lines shown to people: plain arguments as they are, the others in single quotes that
// a POSIX shell reads back to the same argv.
import { describe, expect, it } from 'vitest';
import { shellLine, shellQuote } from './shell';

describe('shellLine', () => {
  it('quotes only the arguments that need it', () => {
    expect(shellLine(['/usr/bin/restic', 'backup', '--json', '--exclude-larger-than=2G', '/etc'])).toBe(
      '/usr/bin/restic backup --json --exclude-larger-than=2G /etc',
    );
    expect(shellLine(['restic', '--tag', 'my tag', '/srv/My Files'])).toBe(`restic --tag 'my tag' '/srv/My Files'`);
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote('*.tmp')).toBe(`'*.tmp'`);
    expect(shellQuote('$HOME')).toBe(`'$HOME'`);
    expect(shellQuote("o'neil")).toBe(`'o'\\''neil'`);
  });
});

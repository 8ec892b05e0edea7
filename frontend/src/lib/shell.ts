// POSIX shell quoting for command lines shown to people (a job's restic command, the command a
// schedule's preflight says the agent would run), so a line can be pasted into a shell as is.

/** Characters a POSIX shell reads literally; anything else gets the argument quoted. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument as a shell reads it back: as is when plain, else in single quotes. */
export function shellQuote(arg: string): string {
  if (PLAIN.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** An argv as one line: `restic backup --tag 'my tag' /etc`. */
export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

// The rules a backup's options must meet (BackupSpec in the API spec, domain::jobs::validate_backup),
// shared by the one-off backup form and the schedule editor; the server stays the authority.

/** Longest path or exclude pattern the server takes (in characters). */
export const MAX_PATTERN_LENGTH = 4096;
export const MAX_PATHS = 100;
export const MAX_EXCLUDES = 200;
export const MAX_EXCLUDE_FILES = 20;
export const MAX_TAGS = 20;
/** restic's bandwidth limits as the server takes them, KiB/s. */
export const MAX_LIMIT_KIB = 10_000_000;

/** The non-empty lines of a text area, trimmed. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

const tooLong = (line: string) => [...line].length > MAX_PATTERN_LENGTH;
const shortened = (line: string) => (line.length > 40 ? `${line.slice(0, 40)}…` : line);

export function pathsRule(text: string): string | null {
  const paths = lines(text);
  if (paths.length === 0) return 'Enter at least one path to back up, one per line';
  if (paths.length > MAX_PATHS) return `At most ${MAX_PATHS} paths per backup (${paths.length} entered)`;
  const relative = paths.find((p) => !p.startsWith('/'));
  if (relative) return `“${relative}” is not an absolute path: start it with /`;
  const long = paths.find(tooLong);
  if (long) return `The path “${shortened(long)}” is too long: at most ${MAX_PATTERN_LENGTH} characters`;
  return null;
}

export function excludesRule(text: string): string | null {
  const excludes = lines(text);
  if (excludes.length > MAX_EXCLUDES) return `At most ${MAX_EXCLUDES} exclude patterns (${excludes.length} entered)`;
  const long = excludes.find(tooLong);
  return long ? `The pattern “${shortened(long)}” is too long: at most ${MAX_PATTERN_LENGTH} characters` : null;
}

export function excludeFilesRule(text: string): string | null {
  const files = lines(text);
  if (files.length > MAX_EXCLUDE_FILES) return `At most ${MAX_EXCLUDE_FILES} exclude files (${files.length} entered)`;
  const relative = files.find((f) => !f.startsWith('/'));
  if (relative) return `“${relative}” is not an absolute path on the host: start it with /`;
  const long = files.find(tooLong);
  return long ? `The path “${shortened(long)}” is too long: at most ${MAX_PATTERN_LENGTH} characters` : null;
}

/** restic tags: no commas (restic splits on them) and no spaces. */
export function tagsRule(tags: string[]): string | null {
  if (tags.length > MAX_TAGS) return `At most ${MAX_TAGS} tags`;
  const bad = tags.find((t) => t.length > 64 || /[\s,]/.test(t));
  return bad ? `Tag “${bad}” is not valid: up to 64 characters, no commas or spaces` : null;
}

/** A bandwidth limit field: empty (no limit) or a whole number of KiB/s in the server's range. */
export function limitRule(value: number | string): string | null {
  if (value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT_KIB) return `Enter 1–${MAX_LIMIT_KIB.toLocaleString('en-US')} KiB/s, or leave it empty for no limit`;
  return null;
}

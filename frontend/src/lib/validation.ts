// Client-side form rules that mirror the server's (the request schemas in openapi/cairn.json;
// the server stays the authority and its message is shown when it disagrees). A rule here
// may be stricter than the server's, never looser.
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;
export const MAX_DISPLAY_NAME_LENGTH = 128;
export const MAX_EMAIL_LENGTH = 254;

/** Length as the server counts it (characters, like JSON Schema's maxLength), not UTF-16 units. */
export function charCount(value: string): number {
  return [...value].length;
}

/** A required text field; with `max`, no longer than that many characters. */
export function required(label: string, max?: number) {
  return (value: string) => {
    if (!value.trim()) return `${label} is required`;
    if (max !== undefined && charCount(value) > max) return `${label} must be at most ${max} characters`;
    return null;
  };
}

/** An optional text field (sent trimmed) of at most `max` characters. */
export function maxLength(label: string, max: number) {
  return (value: string) => (charCount(value.trim()) > max ? `${label} must be at most ${max} characters` : null);
}

export function passwordRule(value: string): string | null {
  if (!value) return 'Password is required';
  const length = charCount(value);
  if (length < MIN_PASSWORD_LENGTH) return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `Password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}

export function confirmRule<T extends object>(field: keyof T) {
  return (value: string, values: T) => (value === values[field] ? null : 'Passwords do not match');
}

export function emailRule(value: string): string | null {
  const v = value.trim();
  if (!v) return null;
  if (charCount(v) > MAX_EMAIL_LENGTH) return `Email must be at most ${MAX_EMAIL_LENGTH} characters`;
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? null : 'Enter a valid email address';
}

/** Same rule as the server: 2–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit. */
export function usernameRule(value: string): string | null {
  const v = value.trim();
  if (!v) return 'Username is required';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(v)) {
    return "Use 2–64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit";
  }
  return null;
}

export function displayNameRule(value: string): string | null {
  const v = value.trim();
  if (!v) return 'Display name is required';
  if (charCount(v) > MAX_DISPLAY_NAME_LENGTH) return `Display name must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`;
  return null;
}

/** The display name where it may be left empty (a new user, first-run setup). */
export const optionalDisplayNameRule = maxLength('Display name', MAX_DISPLAY_NAME_LENGTH);

/** A host tag as the server takes it: 1–64 of ASCII letters, digits and - _ . : / = (no spaces). */
export const HOST_TAG_PATTERN = /^[A-Za-z0-9_.:/=-]{1,64}$/;
export const MAX_HOST_TAGS = 32;

export function hostTagsRule(tags: readonly string[]): string | null {
  if (tags.length > MAX_HOST_TAGS) return `At most ${MAX_HOST_TAGS} tags (${tags.length} entered)`;
  const bad = tags.find((t) => !HOST_TAG_PATTERN.test(t));
  if (bad === undefined) return null;
  if (charCount(bad) > 64) return `Tag “${bad.slice(0, 20)}…” is too long: at most 64 characters`;
  return `Tag “${bad}” is not valid: use only letters, digits and - _ . : / = (no spaces)`;
}

/** Empty optional text fields are left out of a create request rather than sent as "". */
export function optional(value: string): string | undefined {
  const v = value.trim();
  return v ? v : undefined;
}

/** The server's limit on a user's host-scoped role bindings. */
export const MAX_BINDINGS = 20;

/** One host role's tags: at least one, each a valid host tag (the server lower-cases them). */
export function bindingTagsRule(tags: readonly string[]): string | null {
  if (tags.length === 0) return 'Add at least one tag';
  return hostTagsRule(tags);
}

// Client-side form rules that mirror the server's (the server stays the authority and its
// message is shown when it disagrees).
export const MIN_PASSWORD_LENGTH = 12;

export function required(label: string) {
  return (value: string) => (value.trim() ? null : `${label} is required`);
}

export function passwordRule(value: string): string | null {
  if (!value) return 'Password is required';
  if (value.length < MIN_PASSWORD_LENGTH) return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  return null;
}

export function confirmRule<T extends object>(field: keyof T) {
  return (value: string, values: T) => (value === values[field] ? null : 'Passwords do not match');
}

export function emailRule(value: string): string | null {
  if (!value.trim()) return null;
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim()) ? null : 'Enter a valid email address';
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
  if (v.length > 128) return 'Display name must be at most 128 characters';
  return null;
}

/** Empty optional text fields are left out of a create request rather than sent as "". */
export function optional(value: string): string | undefined {
  const v = value.trim();
  return v ? v : undefined;
}

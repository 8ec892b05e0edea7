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

export function usernameRule(value: string): string | null {
  const v = value.trim();
  if (!v) return 'Username is required';
  if (v.length > 64) return 'Username must be at most 64 characters';
  return null;
}

/** Empty optional text fields are sent as null rather than "". */
export function optional(value: string): string | null {
  const v = value.trim();
  return v ? v : null;
}

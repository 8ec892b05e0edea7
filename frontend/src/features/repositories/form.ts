// The repository form's rules and request building, kept pure so they are tested directly:
// required fields, environment variable names, and the env_set / env_remove diff on edit.
import type { CreateRepositoryRequest, Repository, UpdateRepositoryRequest } from '@/api/types';

export const ENV_KEY_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
/** What a repository URL must start with (CreateRepositoryRequest.url in the API spec). */
export const URL_PATTERN = /^(\/|sftp:|rest:|s3:|b2:|azure:|gs:|swift:|rclone:)/;
/** Names restic reads for the password and location, which the form's own fields set. */
const RESERVED_ENV = /^RESTIC_(PASSWORD|REPOSITORY)/;
export const MAX_ENV_VARS = 64;
const MAX_SECRET_LENGTH = 4096;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const chars = (value: string) => [...value].length;

export interface EnvRow {
  /** Stable React key for the row (not sent). */
  id: number;
  key: string;
  value: string;
}

export interface RepositoryValues {
  name: string;
  url: string;
  password: string;
  /** New variables (create), or variables to add/replace (edit). */
  env: EnvRow[];
  /** Edit only: existing variable names marked for removal. */
  remove: string[];
}

export type Mode = 'create' | 'edit';

export function emptyValues(repo?: Repository): RepositoryValues {
  return { name: repo?.name ?? '', url: repo?.url ?? '', password: '', env: [], remove: [] };
}

/** Errors keyed like @mantine/form paths (`name`, `env.0.key`); empty when the form is valid. */
export function validateRepository(values: RepositoryValues, mode: Mode): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = values.name.trim();
  if (!name) errors.name = 'Name is required';
  else if (chars(name) > 100) errors.name = 'Name must be at most 100 characters';
  else if (CONTROL.test(name)) errors.name = 'Name must not contain control characters';
  const url = values.url.trim();
  if (!url) errors.url = 'URL is required';
  // The server counts the URL's bytes (UTF-8), which is what limits a URL with accents.
  else if (new TextEncoder().encode(url).length > 2048) errors.url = 'URL must be at most 2048 characters';
  else if (!URL_PATTERN.test(url)) {
    errors.url = 'Start with / for a path on the host, or with a restic backend: sftp:, rest:, s3:, b2:, azure:, gs:, swift: or rclone:';
  } else if (CONTROL.test(url)) errors.url = 'URL must not contain control characters';
  if (mode === 'create' && !values.password) errors.password = 'Password is required';
  else if (chars(values.password) > MAX_SECRET_LENGTH) errors.password = `Password must be at most ${MAX_SECRET_LENGTH} characters`;
  const seen = new Set<string>();
  values.env.forEach((row, i) => {
    const key = row.key.trim();
    if (!key) errors[`env.${i}.key`] = 'Name is required';
    else if (!ENV_KEY_PATTERN.test(key)) errors[`env.${i}.key`] = 'Use A–Z, 0–9 and _, not starting with a digit';
    else if (key.length > 128) errors[`env.${i}.key`] = 'Name must be at most 128 characters';
    else if (RESERVED_ENV.test(key)) errors[`env.${i}.key`] = 'Set the password and URL in their own fields, not as RESTIC_PASSWORD* or RESTIC_REPOSITORY*';
    else if (seen.has(key)) errors[`env.${i}.key`] = `${key} is listed twice`;
    seen.add(key);
    if (!row.value) errors[`env.${i}.value`] = 'Value is required';
    else if (chars(row.value) > MAX_SECRET_LENGTH) errors[`env.${i}.value`] = `Value must be at most ${MAX_SECRET_LENGTH} characters`;
    else if (row.value.includes('\0')) errors[`env.${i}.value`] = 'Value must not contain a NUL character';
  });
  if (values.env.length > MAX_ENV_VARS) errors.env = `At most ${MAX_ENV_VARS} environment variables (${values.env.length} entered)`;
  return errors;
}

function envObject(rows: EnvRow[]): Record<string, string> {
  return Object.fromEntries(rows.map((r) => [r.key.trim(), r.value]));
}

export function buildCreateRequest(values: RepositoryValues): CreateRepositoryRequest {
  return { name: values.name.trim(), url: values.url.trim(), password: values.password, env: envObject(values.env) };
}

/**
 * What to send on edit: name/url only when changed, the password only when typed (empty
 * keeps the current one), new rows as env_set (a name that already exists is replaced), and
 * the removed names that exist and are not set again as env_remove.
 */
export function buildUpdateRequest(repo: Repository, values: RepositoryValues): UpdateRepositoryRequest {
  const envSet = envObject(values.env);
  const envRemove = values.remove.filter((k) => repo.env_keys.includes(k) && !(k in envSet));
  const body: UpdateRepositoryRequest = { env_set: envSet, env_remove: envRemove };
  const name = values.name.trim();
  const url = values.url.trim();
  if (name !== repo.name) body.name = name;
  if (url !== repo.url) body.url = url;
  if (values.password) body.password = values.password;
  return body;
}

// The repository form's rules and request building, kept pure so they are tested directly:
// required fields, environment variable names, and the env_set / env_remove diff on edit.
import type { CreateRepositoryRequest, Repository, UpdateRepositoryRequest } from '@/api/types';

export const ENV_KEY_PATTERN = /^[A-Z_][A-Z0-9_]*$/;

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
  else if (name.length > 100) errors.name = 'Name must be at most 100 characters';
  const url = values.url.trim();
  if (!url) errors.url = 'URL is required';
  else if (url.length > 2048) errors.url = 'URL must be at most 2048 characters';
  if (mode === 'create' && !values.password) errors.password = 'Password is required';
  const seen = new Set<string>();
  values.env.forEach((row, i) => {
    const key = row.key.trim();
    if (!key) errors[`env.${i}.key`] = 'Name is required';
    else if (!ENV_KEY_PATTERN.test(key)) errors[`env.${i}.key`] = 'Use A–Z, 0–9 and _, not starting with a digit';
    else if (seen.has(key)) errors[`env.${i}.key`] = `${key} is listed twice`;
    seen.add(key);
    if (!row.value) errors[`env.${i}.value`] = 'Value is required';
  });
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

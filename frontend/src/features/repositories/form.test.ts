// Repository form rules and the edit diff, tested directly.
import { describe, expect, it } from 'vitest';
import { makeRepository } from '@/test/utils';
import { buildCreateRequest, buildUpdateRequest, emptyValues, validateRepository, type RepositoryValues } from './form';

const base: RepositoryValues = { name: 'nas', url: '/srv/restic', password: 'pw', env: [], remove: [] };
const row = (id: number, key: string, value = 'v') => ({ id, key, value });

describe('validateRepository', () => {
  it('requires name, URL and (on create) password', () => {
    expect(validateRepository({ ...base, name: ' ', url: '', password: '' }, 'create')).toEqual({
      name: 'Name is required',
      url: 'URL is required',
      password: 'Password is required',
    });
    expect(validateRepository({ ...base, password: '' }, 'edit')).toEqual({});
    expect(validateRepository(base, 'create')).toEqual({});
  });

  it('checks variable names against ^[A-Z_][A-Z0-9_]*$ and refuses duplicates and empty values', () => {
    const errors = validateRepository(
      {
        ...base,
        env: [row(1, 'AWS_KEY'), row(2, 'aws_key'), row(3, '1ABC'), row(4, 'MY-KEY'), row(5, 'AWS_KEY'), row(6, '_OK_9', ''), row(7, '')],
      },
      'create',
    );
    expect(errors['env.0.key']).toBeUndefined();
    expect(errors['env.1.key']).toMatch(/A–Z/);
    expect(errors['env.2.key']).toMatch(/A–Z/);
    expect(errors['env.3.key']).toMatch(/A–Z/);
    expect(errors['env.4.key']).toBe('AWS_KEY is listed twice');
    expect(errors['env.5.key']).toBeUndefined();
    expect(errors['env.5.value']).toBe('Value is required');
    expect(errors['env.6.key']).toBe('Name is required');
  });

  it('keeps to the server’s declared rules: URL forms, lengths, reserved and too many variables', () => {
    for (const url of ['/srv/restic', 'sftp:u@h:/p', 'rest:https://h/r', 's3:h/b', 'b2:b:p', 'azure:c:/', 'gs:b:/', 'swift:c:/', 'rclone:r:p']) {
      expect(validateRepository({ ...base, url }, 'create')).toEqual({});
    }
    expect(validateRepository({ ...base, url: 'srv/restic' }, 'create').url).toMatch(/^Start with \/ for a path on the host/);
    expect(validateRepository({ ...base, url: 'https://example.com/repo' }, 'create').url).toMatch(/sftp:, rest:, s3:/);
    expect(validateRepository({ ...base, url: `/${'é'.repeat(1024)}` }, 'create').url).toBe('URL must be at most 2048 characters');
    expect(validateRepository({ ...base, name: 'x'.repeat(101) }, 'create').name).toBe('Name must be at most 100 characters');
    expect(validateRepository({ ...base, password: 'p'.repeat(4097) }, 'edit').password).toBe('Password must be at most 4096 characters');
    const env = validateRepository({ ...base, env: [row(1, 'RESTIC_PASSWORD_FILE'), row(2, 'LONG', 'v'.repeat(4097)), row(3, 'NUL', 'a\0b')] }, 'create');
    expect(env['env.0.key']).toMatch(/RESTIC_PASSWORD\*/);
    expect(env['env.1.value']).toBe('Value must be at most 4096 characters');
    expect(env['env.2.value']).toBe('Value must not contain a NUL character');
    const many = Array.from({ length: 65 }, (_, i) => row(i, `K${i}`));
    expect(validateRepository({ ...base, env: many }, 'create').env).toBe('At most 64 environment variables (65 entered)');
  });
});

describe('requests', () => {
  it('create sends trimmed fields and the env object', () => {
    expect(buildCreateRequest({ ...base, name: ' nas ', env: [row(1, 'B2_ACCOUNT_ID', 'id'), row(2, 'B2_ACCOUNT_KEY', 'key')] })).toEqual({
      name: 'nas',
      url: '/srv/restic',
      password: 'pw',
      env: { B2_ACCOUNT_ID: 'id', B2_ACCOUNT_KEY: 'key' },
    });
  });

  it('edit sends only what changed: no password when empty, env_set for new rows, env_remove for removed keys', () => {
    const repo = makeRepository({ name: 'nas', url: '/srv/restic', env_keys: ['A_KEY', 'B_KEY', 'C_KEY'] });
    expect(buildUpdateRequest(repo, emptyValues(repo))).toEqual({ env_set: {}, env_remove: [] });

    const body = buildUpdateRequest(repo, {
      ...emptyValues(repo),
      url: 's3:s3.amazonaws.com/bucket',
      env: [row(1, 'NEW_KEY', 'n'), row(2, 'C_KEY', 'replaced')],
      // B_KEY is removed; C_KEY is marked removed but set again, so it is replaced, not removed;
      // GONE is not an existing key and is ignored.
      remove: ['B_KEY', 'C_KEY', 'GONE'],
    });
    expect(body).toEqual({
      url: 's3:s3.amazonaws.com/bucket',
      env_set: { NEW_KEY: 'n', C_KEY: 'replaced' },
      env_remove: ['B_KEY'],
    });
    expect(body).not.toHaveProperty('password');
    expect(body).not.toHaveProperty('name');

    expect(buildUpdateRequest(repo, { ...emptyValues(repo), password: 'new secret' })).toEqual({
      password: 'new secret',
      env_set: {},
      env_remove: [],
    });
  });
});

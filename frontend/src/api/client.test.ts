// Tests of the API client middleware against a fake network: CSRF header, one deduplicated
// session refresh + retry on 401, and the auth-failure callback when the refresh fails.
import { describe, expect, it, vi } from 'vitest';
import { json } from '@/test/utils';
import { createApiClient, readCookie } from './client';
import { ApiError, unwrap } from './errors';

const me = {
  user: { id: 'u1', username: 'ada', display_name: 'Ada', role: 'admin', disabled: false, created_at: '', updated_at: '' },
  auth_method: 'session',
  permissions: ['profile'],
};

function setup(handler: (r: Request) => Response | Promise<Response>, cookies = 'cairn_csrf=tok-1') {
  const seen: Request[] = [];
  const fetch = vi.fn(async (r: Request) => {
    seen.push(r.clone());
    return handler(r);
  });
  const onAuthFailure = vi.fn();
  let cookieJar = cookies;
  const client = createApiClient({ baseUrl: 'http://cairn.test/api', fetch, getCookies: () => cookieJar, onAuthFailure });
  return { client, seen, fetch, onAuthFailure, setCookies: (c: string) => (cookieJar = c) };
}

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('cairn_csrf', 'a=1; cairn_csrf=x%2By; b=2')).toBe('x+y');
    expect(readCookie('cairn_csrf', 'cairn_csrf_other=1')).toBeNull();
  });
});

describe('CSRF header', () => {
  it('is sent on state-changing requests with the cookie value, and not on GET', async () => {
    const { client, seen } = setup((r) => (r.method === 'GET' ? json(200, me) : json(200, me)));
    await client.GET('/v1/auth/me');
    await client.PATCH('/v1/auth/me', { body: { display_name: 'X' } });
    await client.DELETE('/v1/auth/tokens/{id}', { params: { path: { id: 't1' } } });
    expect(seen[0]?.headers.get('X-CSRF-Token')).toBeNull();
    expect(seen[1]?.headers.get('X-CSRF-Token')).toBe('tok-1');
    expect(seen[2]?.headers.get('X-CSRF-Token')).toBe('tok-1');
  });
});

describe('401 handling', () => {
  it('refreshes once, then retries the original request with its body and the new CSRF token', async () => {
    let accessValid = false;
    const t = setup(async (r) => {
      const path = new URL(r.url).pathname;
      if (path === '/api/v1/auth/refresh') {
        accessValid = true;
        t.setCookies('cairn_csrf=tok-2');
        return json(200, me);
      }
      if (!accessValid) return json(401, { code: 'auth.unauthenticated', message: 'Sign in first', details: {} });
      const body = (await r.json()) as { display_name: string };
      return json(200, { ...me, user: { ...me.user, display_name: body.display_name } });
    });
    const data = await unwrap(t.client.PATCH('/v1/auth/me', { body: { display_name: 'Grace' } }));
    expect(data.user.display_name).toBe('Grace');
    const paths = t.seen.map((r) => `${r.method} ${new URL(r.url).pathname}`);
    expect(paths).toEqual(['PATCH /api/v1/auth/me', 'POST /api/v1/auth/refresh', 'PATCH /api/v1/auth/me']);
    expect(t.seen[1]?.headers.get('X-CSRF-Token')).toBe('tok-1');
    expect(t.seen[2]?.headers.get('X-CSRF-Token')).toBe('tok-2');
    expect(t.onAuthFailure).not.toHaveBeenCalled();
  });

  it('shares one refresh between concurrent 401s', async () => {
    let accessValid = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const t = setup(async (r) => {
      const path = new URL(r.url).pathname;
      if (path === '/api/v1/auth/refresh') {
        await gate;
        accessValid = true;
        return json(200, me);
      }
      return accessValid ? json(200, { items: [] }) : json(401, { code: 'auth.unauthenticated', message: 'x', details: {} });
    });
    const calls = [t.client.GET('/v1/users'), t.client.GET('/v1/users'), t.client.GET('/v1/auth/tokens')];
    await vi.waitFor(() => expect(t.seen.filter((r) => r.url.endsWith('/refresh'))).toHaveLength(1));
    release();
    const results = await Promise.all(calls);
    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200]);
    expect(t.seen.filter((r) => r.url.endsWith('/refresh'))).toHaveLength(1);
  });

  it('calls onAuthFailure and returns the 401 when the refresh fails', async () => {
    const t = setup((r) =>
      new URL(r.url).pathname === '/api/v1/auth/refresh'
        ? json(401, { code: 'auth.session_expired', message: 'Session expired', details: {} })
        : json(401, { code: 'auth.unauthenticated', message: 'Sign in first', details: {} }),
    );
    const err = await unwrap(t.client.GET('/v1/users')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).message).toBe('Sign in first');
    expect(t.onAuthFailure).toHaveBeenCalledTimes(1);
    expect(t.seen.map((r) => new URL(r.url).pathname)).toEqual(['/api/v1/users', '/api/v1/auth/refresh']);
  });

  it('never refreshes for a failed login (401 means wrong credentials there)', async () => {
    const t = setup(() => json(401, { code: 'auth.invalid_credentials', message: 'Wrong username or password', details: {} }));
    const result = await t.client.POST('/v1/auth/login', { body: { username: 'a', password: 'b' } });
    expect(result.response.status).toBe(401);
    expect(t.fetch).toHaveBeenCalledTimes(1);
    expect(t.onAuthFailure).not.toHaveBeenCalled();
  });
});

describe('unwrap', () => {
  it('turns an error body and Retry-After into an ApiError', async () => {
    const t = setup(() => json(429, { code: 'auth.rate_limited', message: 'Slow down', details: {} }, { 'Retry-After': '42' }));
    const err = (await unwrap(t.client.POST('/v1/auth/login', { body: { username: 'a', password: 'b' } })).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect(err.code).toBe('auth.rate_limited');
    expect(err.message).toBe('Slow down');
    expect(err.retryAfter).toBe(42);
  });

  it('reports an unreachable server in words, not as a TypeError', async () => {
    const t = setup(() => Promise.reject(new TypeError('Failed to fetch')));
    const err = (await unwrap(t.client.GET('/v1/info')).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/Cannot reach the Cairn server/);
  });
});

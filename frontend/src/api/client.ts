// Typed API client (openapi-fetch over the generated schema). One middleware adds the CSRF
// header to state-changing requests and, on a 401, refreshes the session once and retries.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

export const CSRF_COOKIE = 'cairn_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
/** Every path in the spec is relative to this prefix (the spec's `servers` entry). */
export const API_PREFIX = '/api';
export const REFRESH_PATH = '/v1/auth/refresh';

/** Endpoints whose 401 means "bad credentials", not "session expired": never refresh for them. */
const NO_REFRESH = new Set<string>(['/v1/auth/login', '/v1/setup', REFRESH_PATH]);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(name: string, cookies: string): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

export interface ApiClientOptions {
  /** Prefix for every request URL, up to and including /api (the spec's server). */
  baseUrl?: string;
  /** The network; tests inject a fake. */
  fetch?: (request: Request) => Promise<Response>;
  /** Where the CSRF cookie is read from; defaults to document.cookie. */
  getCookies?: () => string;
  /** Called when a 401 could not be fixed by refreshing the session. */
  onAuthFailure?: () => void;
}

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const getCookies = options.getCookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
  const retryable = new Map<string, Request>();
  let refreshing: Promise<boolean> | null = null;

  function addCsrf(request: Request): Request {
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      const token = readCookie(CSRF_COOKIE, getCookies());
      if (token) request.headers.set(CSRF_HEADER, token);
    }
    return request;
  }

  /** One refresh at a time: concurrent 401s all wait for the same attempt. */
  function refreshSession(): Promise<boolean> {
    refreshing ??= (async () => {
      try {
        const response = await doFetch(addCsrf(new Request(`${baseUrl}${REFRESH_PATH}`, { method: 'POST' })));
        return response.ok;
      } catch {
        return false;
      }
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  const sessionMiddleware: Middleware = {
    onRequest({ request, schemaPath, id }) {
      addCsrf(request);
      // Keep an unread copy: the original body is consumed once it is sent.
      if (!NO_REFRESH.has(schemaPath)) retryable.set(id, request.clone());
      return request;
    },
    async onResponse({ response, id }) {
      const retry = retryable.get(id);
      retryable.delete(id);
      if (response.status !== 401 || !retry) return undefined;
      if (!(await refreshSession())) {
        options.onAuthFailure?.();
        return undefined;
      }
      // The refresh may have rotated the CSRF cookie: set the header again.
      return doFetch(addCsrf(retry));
    },
    onError({ id }) {
      retryable.delete(id);
    },
  };

  const client = createClient<paths>({ baseUrl, fetch: doFetch });
  client.use(sessionMiddleware);
  return client;
}

export type ApiClient = ReturnType<typeof createApiClient>;

let authFailureHandler: () => void = () => undefined;

/** The app shell installs what happens when the session is gone (clear cache, go to login). */
export function setAuthFailureHandler(handler: () => void): void {
  authFailureHandler = handler;
}

/** The browser's client, same origin. */
export const api = createApiClient({
  baseUrl: `${typeof window === 'undefined' ? '' : window.location.origin}${API_PREFIX}`,
  onAuthFailure: () => authFailureHandler(),
});

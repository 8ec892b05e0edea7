// The one error type the UI sees: built from the server's {code, message, details} body,
// a network failure, or an unexpected response, so components can always show `message`.
import type { components } from './schema';

export type ErrorBody = components['schemas']['ErrorBody'];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Seconds from a Retry-After header (rate limiting), if any. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, details: unknown = null, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

function parseRetryAfter(response: Response): number | null {
  const raw = response.headers.get('Retry-After');
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export function toApiError(response: Response, error: unknown): ApiError {
  const retryAfter = parseRetryAfter(response);
  if (isErrorBody(error)) {
    return new ApiError(response.status, error.code, error.message, error.details ?? null, retryAfter);
  }
  const text = typeof error === 'string' && error.trim() ? `: ${error.trim().slice(0, 200)}` : '';
  return new ApiError(
    response.status,
    `http.${response.status}`,
    `The server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${text}`,
    null,
    retryAfter,
  );
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** Await an openapi-fetch call and return its data, or throw an ApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    const err = new ApiError(0, 'network', 'Cannot reach the Cairn server. Check your connection and try again.');
    err.cause = cause;
    throw err;
  }
  if (!result.response.ok) throw toApiError(result.response, result.error);
  return result.data as T;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

// The one error type the UI sees: built from the server's {code, message, details} body,
// a network failure, or an unexpected response, so components can always show `message`.
import type { components } from './schema';

export type ErrorBody = components['schemas']['ErrorBody'];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The body's `details`: an object (`{}` when the server has nothing to add). */
  readonly details: unknown;
  /** Seconds from a Retry-After header (rate limiting), if any. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, details: unknown = {}, retryAfter: number | null = null) {
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
    return new ApiError(response.status, error.code, error.message, error.details ?? {}, retryAfter);
  }
  const text = typeof error === 'string' && error.trim() ? `: ${error.trim().slice(0, 200)}` : '';
  return new ApiError(
    response.status,
    `http.${response.status}`,
    `The server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${text}`,
    {},
    retryAfter,
  );
}

/** The code of a body refused at the edge for breaking a rule the API spec declares. */
export const INVALID_BODY = 'request.invalid_body';

/** One entry of an API error's `details` (free-form JSON), if the error has it. */
export function detailOf(error: unknown, key: string): unknown {
  if (!(error instanceof ApiError)) return undefined;
  const details = error.details;
  if (typeof details !== 'object' || details === null || Array.isArray(details) || !Object.hasOwn(details, key)) return undefined;
  return (details as Record<string, unknown>)[key];
}

/**
 * The request field an API error is about (`details.field`): named by an edge-validation
 * refusal (`request.invalid_body`) and by a domain rule's refusal (e.g. `job.invalid_backup`).
 * A top-level field of the request body, e.g. `paths` (not `paths/2`).
 */
export function fieldOf(error: unknown): string | undefined {
  const field = detailOf(error, 'field');
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/**
 * The form input a refusal belongs on: `inputs` maps the request's field names to the form's
 * own; undefined when the error names no field, or one the form has no input for (then the
 * form shows the error above its inputs).
 */
export function inputFor<K extends string>(error: unknown, inputs: Readonly<Partial<Record<string, K>>>): K | undefined {
  const field = fieldOf(error);
  return field !== undefined && Object.hasOwn(inputs, field) ? inputs[field] : undefined;
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

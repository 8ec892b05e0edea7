// The error type and its field helpers: which request field a refusal names (an edge-validation
// `request.invalid_body` or a domain rule), and which form input that is.
import { describe, expect, it } from 'vitest';
import { json } from '@/test/utils';
import { ApiError, INVALID_BODY, detailOf, fieldOf, inputFor, toApiError } from './errors';

const edge = new ApiError(400, INVALID_BODY, '`paths` must match the pattern ^\\s*/.', { field: 'paths', rule: 'pattern' });
const domain = new ApiError(400, 'job.invalid_backup', 'At most 20 tags.', { field: 'tags' });

describe('toApiError', () => {
  it('keeps the body’s code, message and details', async () => {
    const response = json(400, { code: INVALID_BODY, message: 'm', details: { field: 'name', rule: 'maxLength' } });
    const error = toApiError(response, await response.clone().json());
    expect(error).toMatchObject({ status: 400, code: INVALID_BODY, message: 'm', details: { field: 'name', rule: 'maxLength' } });
  });

  it('gives details as an object when the answer is not an error body', () => {
    const error = toApiError(new Response('oops', { status: 502, statusText: 'Bad Gateway' }), 'oops');
    expect(error.code).toBe('http.502');
    expect(error.details).toEqual({});
    expect(new ApiError(0, 'network', 'offline').details).toEqual({});
  });
});

describe('detailOf', () => {
  it('reads one entry of the details, only from an ApiError', () => {
    expect(detailOf(new ApiError(409, 'job.already_running', 'm', { job_id: 'j1' }), 'job_id')).toBe('j1');
    expect(detailOf(new ApiError(409, 'job.already_running', 'm', {}), 'job_id')).toBeUndefined();
    expect(detailOf(new ApiError(500, 'x', 'm', null), 'job_id')).toBeUndefined();
    expect(detailOf(new ApiError(500, 'x', 'm', ['job_id']), 'length')).toBeUndefined();
    expect(detailOf(new Error('plain'), 'job_id')).toBeUndefined();
    expect(detailOf(undefined, 'job_id')).toBeUndefined();
  });
});

describe('fieldOf', () => {
  it('names the field of an edge-validation refusal and of a domain rule’s refusal', () => {
    expect(fieldOf(edge)).toBe('paths');
    expect(fieldOf(domain)).toBe('tags');
  });

  it('is undefined when no field is named', () => {
    expect(fieldOf(new ApiError(400, INVALID_BODY, 'The request body: not an object.', { problems: [] }))).toBeUndefined();
    expect(fieldOf(new ApiError(409, 'user.username_taken', 'taken', {}))).toBeUndefined();
    expect(fieldOf(new ApiError(400, INVALID_BODY, 'm', { field: 42 }))).toBeUndefined();
    expect(fieldOf(new ApiError(400, INVALID_BODY, 'm', { field: '' }))).toBeUndefined();
    expect(fieldOf(new Error('network'))).toBeUndefined();
    expect(fieldOf(null)).toBeUndefined();
  });
});

describe('inputFor', () => {
  const inputs = { paths: 'paths', repository_id: 'repositoryId' } as const;

  it('maps the named request field to the form’s input', () => {
    expect(inputFor(edge, inputs)).toBe('paths');
    expect(inputFor(new ApiError(400, INVALID_BODY, 'm', { field: 'repository_id' }), inputs)).toBe('repositoryId');
  });

  it('is undefined for a field the form has no input for (the form shows the error above)', () => {
    expect(inputFor(domain, inputs)).toBeUndefined();
    expect(inputFor(new ApiError(400, INVALID_BODY, '`extra` is not a field of this request.', { field: 'extra', rule: null }), inputs)).toBeUndefined();
    // Only the map's own keys count, not what every object inherits.
    expect(inputFor(new ApiError(400, INVALID_BODY, 'm', { field: 'constructor' }), inputs)).toBeUndefined();
    expect(inputFor(new Error('x'), inputs)).toBeUndefined();
  });
});

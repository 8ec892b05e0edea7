// Records every answer the e2e run receives from the server's /api/… into
// e2e/artifacts/api-responses.ndjson, for `cairn-contract check openapi/cairn.json <file>` to
// validate against the spec. One JSON object a line:
//   {"method","url","status","content_type","allow","body","source"} (+ "unread": true)
// url is path + query only; body is the raw text, null for text/event-stream (a stream never
// ends, so it is never read) and null with "unread": true when it could not be read (navigation
// aborted, page closed). source is "browser" for what the page received (page.evaluate(fetch)
// included), "node" for this process's own requests. Swagger UI (/api/docs…) and 101/3xx
// answers are left out.
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/** Path + query of an address (absolute, with any scheme/host/port, or relative); null unless it is an /api/ one to record. */
export function apiPath(url) {
  let parsed;
  try {
    parsed = new URL(String(url), 'http://relative.invalid');
  } catch {
    return null;
  }
  const { pathname, search } = parsed;
  if (!pathname.startsWith('/api/') || pathname.startsWith('/api/docs')) return null;
  return `${pathname}${search}`;
}

/** A server-sent events stream: its body is never read. */
export function isEventStream(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'text/event-stream';
}

/** Switching protocols and redirects are not API answers to check. */
function skippedStatus(status) {
  return status === 101 || (status >= 300 && status < 400);
}

/** One line, keys in the agreed order. */
function line(entry) {
  const record = {
    method: entry.method,
    url: entry.url,
    status: entry.status,
    content_type: entry.content_type,
    allow: entry.allow,
    body: entry.body,
    source: entry.source,
  };
  if (entry.unread) record.unread = true;
  return `${JSON.stringify(record)}\n`;
}

/** Appends records to an ndjson file (its directory made if missing), one whole line each. */
export async function appendNdjson(file, entries) {
  await mkdir(path.dirname(file), { recursive: true });
  if (entries.length) await appendFile(file, entries.map(line).join(''), 'utf8');
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class ApiRecorder {
  /** In the order the answers arrived; a browser entry's body is filled in when read. */
  entries = [];
  #reads = [];
  #seen = new WeakSet();
  #written = 0;

  /**
   * Records every /api/ answer a Playwright BrowserContext (all its pages, popups included)
   * or Page receives. Watching both a context and one of its pages records an answer once.
   */
  watch(target) {
    target.on('response', (response) => this.#browserResponse(response));
    return target;
  }

  #browserResponse(response) {
    if (this.#seen.has(response)) return;
    this.#seen.add(response);
    const url = apiPath(response.url());
    if (!url) return;
    const status = response.status();
    if (skippedStatus(status)) return;
    const headers = response.headers(); // names lower-cased
    const entry = {
      method: response.request().method(),
      url,
      status,
      content_type: headers['content-type'] ?? null,
      allow: headers.allow ?? null,
      body: null,
      source: 'browser',
    };
    this.entries.push(entry);
    if (isEventStream(entry.content_type)) return;
    // These have no body by HTTP's rules, and Chromium keeps none to hand out for them.
    if (status === 204 || status === 205 || entry.method === 'HEAD') {
      entry.body = '';
      return;
    }
    entry.unread = true; // until the body arrives
    this.#reads.push(
      response.text().then(
        (text) => {
          entry.body = text;
          delete entry.unread;
        },
        // Gone: the page navigated away or closed first. (A body the page itself never reads
        // to the end only comes when its document goes, and then it is gone too.)
        () => undefined,
      ),
    );
  }

  /**
   * Wraps a fetch-like function of this process ((url, {method, headers, body}) → an answer
   * with status, headers.get, text(), json()): /api/ answers are recorded with source "node"
   * and handed on with the body buffered, so text() and json() still work once.
   */
  wrapFetch(fetchFn) {
    return async (url, options = {}) => {
      const res = await fetchFn(url, options);
      const apiUrl = apiPath(url);
      if (!apiUrl || skippedStatus(res.status)) return res;
      const header = (name) => {
        const value = res.headers.get(name);
        return value === undefined || value === null ? null : String(value);
      };
      const entry = {
        method: String(options.method ?? 'GET').toUpperCase(),
        url: apiUrl,
        status: res.status,
        content_type: header('content-type'),
        allow: header('allow'),
        body: null,
        source: 'node',
      };
      this.entries.push(entry);
      if (isEventStream(entry.content_type)) return res;
      let text;
      let readError = null;
      try {
        text = await res.text();
        entry.body = text;
      } catch (error) {
        entry.unread = true;
        readError = error;
      }
      const body = async () => {
        if (readError) throw readError;
        return text;
      };
      return {
        status: res.status,
        ok: res.status >= 200 && res.status < 300,
        headers: res.headers,
        text: body,
        json: async () => JSON.parse(await body()),
      };
    };
  }

  /** Waits until the bodies being read are in, for at most `timeoutMs`; what is still missing stays unread. */
  async settle(timeoutMs = 10_000) {
    await Promise.race([Promise.allSettled(this.#reads), sleep(timeoutMs)]);
  }

  /** Appends the entries not written yet to `file`; returns how many entries there are in all. */
  async write(file) {
    const fresh = this.entries.slice(this.#written);
    this.#written = this.entries.length;
    await appendNdjson(file, fresh);
    return this.entries.length;
  }
}

/** The one recorder of an e2e run, shared by run.mjs and the flows it calls. */
export const apiRecorder = new ApiRecorder();

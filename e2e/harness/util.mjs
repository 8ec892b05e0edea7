// Small helpers with no page and no server: output, assertions, waiting.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export function log(message) {
  process.stdout.write(`${message}\n`);
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy, and returns that; throws after `timeoutMs`. */
export async function waitFor(what, fn, timeoutMs = 15_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
}

/** The trimmed text of a file once it exists and is not empty. */
export async function waitForFile(file, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = (await readFile(file, 'utf8')).trim();
      if (text) return text;
    }
    await sleep(100);
  }
  throw new Error(`${file} did not appear`);
}

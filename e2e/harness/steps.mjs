// The step runner: `check(name, fn)` is one named assertion, reported as "  ok   name" or
// "  FAIL name" with the reason, a full-page failure.png of the page being driven and the
// browser's console errors. A failure stops the run (later steps build on earlier ones).
// `shot(page, name)` saves artifacts/<name>.png.
import path from 'node:path';
import { artifacts } from './config.mjs';
import { assert, log } from './util.mjs';

/** The tally of the run. */
export const results = { passed: 0, failed: 0, failures: [] };

/** Thrown by a failed check to stop the run; already counted and reported. */
export class StopFlow extends Error {}

/** The page being driven, so a failed check can leave a screenshot behind. */
let currentPage = null;
let currentStep = 'start';
/** The browser's console errors and uncaught page errors, each tagged with the step it came in. */
export const consoleErrors = [];

/** One named assertion; a failure stops the flow (later steps depend on earlier ones). */
export async function check(name, fn) {
  currentStep = name;
  try {
    await fn();
    results.passed += 1;
    log(`  ok   ${name}`);
  } catch (error) {
    results.failed += 1;
    const message = error instanceof Error ? error.message.split('\n').slice(0, 6).join('\n') : String(error);
    results.failures.push(`${name}: ${message}`);
    log(`  FAIL ${name}\n       ${message.replaceAll('\n', '\n       ')}`);
    if (currentPage) {
      const file = path.join(artifacts, 'failure.png');
      await currentPage.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      log(`       at ${currentPage.url()} (screenshot: e2e/artifacts/failure.png)`);
    }
    if (consoleErrors.length) log(`       browser console errors:\n       ${consoleErrors.join('\n       ')}`);
    throw new StopFlow(name);
  }
}

/** Makes `page` the one a failure screenshots, and collects its console and page errors. */
export function watchPage(page) {
  currentPage = page;
  page.on('console', (msg) => {
    // A failed load names no address in its text; the address tells a provoked answer from a real one.
    const where = /^Failed to load resource/.test(msg.text()) && msg.location()?.url ? ` (${msg.location().url})` : '';
    if (msg.type() === 'error') consoleErrors.push(`[${currentStep}] ${msg.text()}${where}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`[${currentStep}] pageerror: ${err.message} ${err.cause ?? ''}`));
}

/** The last step of every run: the page logged no error the flow did not provoke on purpose. */
export async function checkNoPageErrors() {
  await check('no uncaught errors in the page', () => {
    // 401/403/409 answers the flow provokes on purpose show up as "Failed to load resource", and
    // so does the cron preview's 400 for an expression the server refuses (10-schedules asks for one).
    const provoked = (m) => /status of (401|403|409)/.test(m) || (/status of 400/.test(m) && m.includes('/api/v1/schedules/preview?'));
    const real = consoleErrors.filter((m) => !provoked(m));
    assert(real.length === 0, `console errors:\n${real.join('\n')}`);
  });
}

/** Counts an error thrown outside a check (a check's own failure is counted already). */
export function noteError(error) {
  if (error instanceof StopFlow) return;
  results.failed += 1;
  results.failures.push(String(error instanceof Error ? error.message : error));
  log(`  FAIL ${error instanceof Error ? error.message : error}`);
}

/** The failures, then "N passed, M failed". */
export function printSummary() {
  if (results.failures.length) log(`\nFailures (server log: e2e/artifacts/server.log):\n- ${results.failures.join('\n- ')}`);
  log(`\n${results.passed} passed, ${results.failed} failed`);
}

/**
 * Saves a full-page screenshot as artifacts/<name>.png; `{ fullPage: false }` keeps to the
 * viewport (a full-screen dialog on a phone: the page under it is not what anyone sees).
 */
export async function shot(page, name, { fullPage = true } = {}) {
  await page.mouse.move(1, 1); // no hover tooltips in the picture
  // A full-page picture of a scrolled window draws the fixed header where the window was.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300); // let transitions settle
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage });
}

// Debian's Chromium through playwright-core (no browser download): one browser, one context,
// one page for the whole run. Every /api/ answer a page of the context receives is recorded.
import { chromium } from 'playwright-core';
import { apiRecorder } from '../record.mjs';
import { chromiumBin, STEP_TIMEOUT, TLS } from './config.mjs';
import { watchPage } from './steps.mjs';

export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumBin,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A 1280x800 light-scheme context and its page; the page is the one failures screenshot. */
export async function openPage(browser) {
  // The self-signed certificate is what the test is about; the browser is told to accept it
  // (as a person would after comparing fingerprints), the agents pin it.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', ignoreHTTPSErrors: TLS });
  // Every page of the context (popups too): its /api/ answers are recorded (source "browser").
  apiRecorder.watch(context);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  watchPage(page);
  return { context, page };
}

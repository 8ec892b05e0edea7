// Page helpers the specs share: where the page is, signing in and out, the main navigation,
// reload detection, API calls from inside the page, sideways-overflow measurement.
import { STEP_TIMEOUT } from './config.mjs';
import { assert } from './util.mjs';

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

export async function waitForPath(page, pathname) {
  await page.waitForURL((url) => url.pathname === pathname, { timeout: STEP_TIMEOUT });
}

/** Signs in on /login and waits for the home page. */
export async function signIn(page, base, user) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByLabel('Password', { exact: true }).press('Enter');
  await waitForPath(page, '/');
  await page.getByTestId('signed-in-as').waitFor();
}

/** Signs out through the user menu and waits for /login. */
export async function signOut(page) {
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await waitForPath(page, '/login');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

/** The names of the main navigation's links. */
export async function mainNavLinks(page) {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.waitFor();
  return (await nav.getByRole('link').allTextContents()).map((t) => t.trim());
}

/** Clicks the main navigation's link with exactly this name. */
export const nav = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

/** Marks the current document; `assertNoReload` fails if the page was reloaded since. */
export async function markDocument(page) {
  await page.evaluate(() => {
    window.__cairnE2eMark = true;
  });
}
export async function assertNoReload(page, what) {
  const marked = await page.evaluate(() => window.__cairnE2eMark === true);
  assert(marked, `the page reloaded during ${what}`);
}

/** The hosts as GET /api/v1/hosts lists them, fetched by the page (its session). */
export async function hostsViaApi(page) {
  return (await api(page, 'GET', '/api/v1/hosts?limit=500')).body.items;
}

/**
 * A JSON API call from inside the page: same session cookie, CSRF header like the app sends,
 * and, like the app, one session refresh and retry when the 5-minute access token expired
 * (a long spec outlives it between two page loads).
 */
export async function api(page, method, url, body) {
  return page.evaluate(
    async ({ method, url, body }) => {
      const csrf = () =>
        document.cookie
          .split(';')
          .map((c) => c.trim().split('='))
          .find(([k]) => k === 'cairn_csrf')?.[1];
      const call = async (m, u, b) => {
        const token = csrf();
        const r = await fetch(u, {
          method: m,
          headers: { 'Content-Type': 'application/json', ...(token ? { 'X-CSRF-Token': decodeURIComponent(token) } : {}) },
          body: b === undefined ? undefined : JSON.stringify(b),
        });
        return { status: r.status, body: await r.json().catch(() => null) };
      };
      let res = await call(method, url, body);
      if (res.status === 401 && res.body?.code === 'auth.token_expired') {
        const refreshed = await call('POST', '/api/v1/auth/refresh');
        if (refreshed.status < 300) res = await call(method, url, body);
      }
      return res;
    },
    { method, url, body },
  );
}

/**
 * How far the page scrolls sideways, and the outermost elements that stick out on the right.
 * Measured again for up to 3 s after a resize: the layout's breakpoints re-render a moment
 * after the viewport changes, and only a page that still overflows then is wrong.
 */
export async function sidewaysOverflow(page) {
  const until = Date.now() + 3000;
  for (;;) {
    const m = await measureOverflow(page);
    if (m.overflow <= 1 || Date.now() > until) return m;
    await page.waitForTimeout(200);
  }
}

async function measureOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const overflow = document.documentElement.scrollWidth - width;
    const culprits = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1) continue;
      if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1) continue;
      culprits.push(`${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[data-testid=${el.getAttribute('data-testid')}]` : ''}.${String(el.className).split(' ')[0]} right=${Math.round(r.right)}`);
    }
    return { overflow, culprits: culprits.slice(0, 5) };
  });
}

// The e2e harness: everything the specs share. run.mjs starts it once, runs the specs in
// order against ONE server, ONE browser and ONE page, then stops it:
//
//   const harness = await startHarness();   // artifacts/ emptied, server spawned
//   const ctx = await harness.open();       // 2 steps (server ready, web app served), browser, page
//   ...specs...(ctx)
//   await checkNoPageErrors();              // the last step
//   await harness.stop();                   // agents, front, server, browser, temporary dirs
//   await writeApiResponses();              // artifacts/api-responses.ndjson
//
// A spec gets `ctx`:
//   page, context, browser  the one Playwright page, its context and browser
//   base                    the web app's address (the server's, or the local front serving
//                           a newer frontend/dist: see startDistFront)
//   serverBase              the server's own address
//   dataDir                 the server's data dir; setupToken its one-time setup token
//   state                   what a spec leaves for later ones (see README.md)
// and imports check, shot, assert, serverFetch, the agent and page helpers from here.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { apiRecorder } from '../record.mjs';
import { agentDirs, stopAgents } from './agents.mjs';
import { launchBrowser, openPage } from './browser.mjs';
import { apiResponsesFile, artifacts, chromiumBin, distDir, serverBin, TLS } from './config.mjs';
import { loadServerTls, readSetupToken, serverFetch, startDistFront, startServer, stopServer, waitForReady } from './server.mjs';
import { check } from './steps.mjs';
import { assert, log } from './util.mjs';

export * from './agents.mjs';
export * from './config.mjs';
export { openPage } from './browser.mjs';
export * from './fixtures.mjs';
export * from './idp.mjs';
export * from './pages.mjs';
export { freePort, presentedFingerprint, readSetupToken, serverFetch, serverTls, stopServer, waitForReady } from './server.mjs';
export * from './steps.mjs';
export * from './util.mjs';

/**
 * Empties artifacts/, checks the binaries are there and spawns the server. Returns the
 * harness: open() waits for the server and opens the browser, stop() ends everything.
 */
export async function startHarness() {
  await rm(artifacts, { recursive: true, force: true });
  await mkdir(artifacts, { recursive: true });
  if (!existsSync(serverBin)) {
    throw new Error(`server binary not found at ${serverBin}; build it (cargo build -p cairn-server) or set CAIRN_SERVER_BIN`);
  }
  if (!existsSync(chromiumBin)) throw new Error(`Chromium not found at ${chromiumBin} (apt-get install chromium)`);

  const server = await startServer();
  let browser = null;
  let distFront = null;

  const stopProcesses = async () => {
    await stopAgents();
    if (distFront) distFront.front.close();
    await stopServer(server.child);
  };
  const onSignal = () => {
    void stopProcesses()
      .then(() => apiRecorder.settle(2000))
      .then(() => apiRecorder.write(apiResponsesFile))
      .catch(() => undefined)
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  return {
    server,

    /** The first two steps, then the browser and its page; resolves the specs' ctx. */
    async open() {
      const { base, dataDir } = server;
      await check('server starts and /readyz answers 200', async () => {
        if (TLS) await loadServerTls(dataDir);
        await waitForReady(base, server.child);
      });
      await check('the server serves the built web app at /', async () => {
        const res = await serverFetch(`${base}/`);
        const text = await res.text();
        assert(
          res.status === 200 && text.includes('id="root"'),
          `GET / answered ${res.status}: ${text.slice(0, 160).trim()}\n` +
            'build the web app (cd frontend && npm run build), then rebuild cairn-server so it embeds frontend/dist',
        );
      });
      const setupToken = await readSetupToken(dataDir);

      // Test the web app that was just built: the embedded one when the server carries it,
      // otherwise frontend/dist through a local front (see startDistFront).
      let webBase = base;
      const builtIndex = existsSync(path.join(distDir, 'index.html')) ? await readFile(path.join(distDir, 'index.html'), 'utf8') : null;
      const servedIndex = await (await serverFetch(`${base}/`)).text();
      if (builtIndex && builtIndex !== servedIndex && process.env.CAIRN_E2E_WEB !== 'embedded') {
        distFront = await startDistFront(server.port);
        webBase = distFront.url;
        log(`           web  ${webBase} (frontend/dist: the server's embedded copy is older; rebuild cairn-server to test it)`);
      }

      browser = await launchBrowser();
      const { context, page } = await openPage(browser);
      return { page, context, browser, base: webBase, serverBase: base, dataDir, setupToken, state: {} };
    },

    /** Lets the last bodies come in, closes the browser, stops agents and server, removes temporary dirs. */
    async stop() {
      // The bodies still being read come in before the browser goes (a body cut off stays "unread").
      await apiRecorder.settle(10_000);
      if (browser) await browser.close().catch(() => undefined);
      await stopProcesses();
      server.log.end();
      for (const dir of agentDirs) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      await rm(server.dataDir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** Writes the recorded /api/ answers to artifacts/api-responses.ndjson for cairn-contract. */
export async function writeApiResponses() {
  await apiRecorder.settle(1000);
  const recorded = await apiRecorder.write(apiResponsesFile).catch((error) => {
    log(`could not write ${apiResponsesFile}: ${error instanceof Error ? error.message : error}`);
    return null;
  });
  if (recorded !== null) log(`recorded ${recorded} API responses to artifacts/api-responses.ndjson`);
}

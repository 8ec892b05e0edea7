// End-to-end test of Cairn: the real cairn-server on a fresh data dir (HTTPS with its own
// self-signed certificate, so the agents enroll with the `--pin` the web app shows), the built
// web app in Debian's Chromium (playwright-core, no browser download) and real cairn-agent +
// restic processes. This file is only the entry point: harness/ starts and stops everything
// and holds the step runner and the helpers; specs/NN-name.mjs are the steps, run in order
// against ONE server and ONE browser page (a spec uses what the earlier ones built).
// See README.md.
//
//   node run.mjs            every spec (what `npm test` and `make test-e2e` run)
//   node run.mjs 06 audit   the specs up to the last one named (06-audit here): the earlier
//                           ones build the state it needs
//   node run.mjs --list     the specs, in order
//
// Environment: CAIRN_SERVER_BIN, CAIRN_AGENT_BIN, CHROMIUM_BIN, CAIRN_E2E_WEB=embedded,
// CAIRN_E2E_TLS=off, CAIRN_E2E_BACKUP_MB (see harness/config.mjs).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkNoPageErrors, log, noteError, printSummary, results, specsDir, startHarness, writeApiResponses } from './harness/index.mjs';

/** The spec files, in the order of their names. */
async function specFiles() {
  return (await readdir(specsDir)).filter((f) => /^\d+-.+\.mjs$/.test(f)).sort();
}

/**
 * Which specs to run: all of them, or with names on the command line (a number like `06`, a
 * part of the name like `audit`, or the file) every spec up to the last one named.
 */
function select(files, args) {
  if (args.length === 0) return files;
  let last = -1;
  for (const arg of args) {
    const wanted = path.basename(arg).replace(/\.mjs$/, '');
    const i = files.findLastIndex((f) => {
      const name = f.replace(/\.mjs$/, '');
      return name === wanted || name.startsWith(`${wanted}-`) || name.includes(wanted);
    });
    if (i < 0) throw new Error(`no spec matches "${arg}"; the specs are:\n  ${files.join('\n  ')}`);
    last = Math.max(last, i);
  }
  return files.slice(0, last + 1);
}

async function loadSpec(file) {
  const spec = await import(pathToFileURL(path.join(specsDir, file)).href);
  if (typeof spec.title !== 'string' || typeof spec.run !== 'function') {
    throw new Error(`specs/${file} must export \`title\` (a string) and \`run(ctx)\` (an async function)`);
  }
  return { file, title: spec.title, run: spec.run };
}

async function main() {
  const args = process.argv.slice(2);
  const files = await specFiles();
  if (args.includes('--list')) {
    for (const file of files) log(`${file}  ${(await loadSpec(file)).title}`);
    return;
  }
  let chosen;
  try {
    chosen = select(files, args);
  } catch (error) {
    log(error.message);
    process.exitCode = 2;
    return;
  }
  const specs = [];
  for (const file of chosen) specs.push(await loadSpec(file));
  if (chosen.length < files.length) log(`specs ${chosen[0]} … ${chosen.at(-1)} (of ${files.length})`);

  const harness = await startHarness();
  try {
    const ctx = await harness.open();
    for (const spec of specs) {
      log(`\n${spec.title}`);
      await spec.run(ctx);
    }
    await checkNoPageErrors();
  } catch (error) {
    noteError(error);
  } finally {
    await harness.stop();
    await writeApiResponses();
  }

  printSummary();
  process.exitCode = results.failed > 0 ? 1 : 0;
}

main().catch((error) => {
  log(`e2e crashed: ${error instanceof Error ? error.stack : error}`);
  log(`\n${results.passed} passed, ${results.failed + 1} failed`);
  process.exitCode = 1;
});

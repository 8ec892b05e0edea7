// Real cairn-agent processes: one-shot commands (runAgent), long-running ones with their
// output in artifacts/<name>.log and in memory (spawnAgent; all stopped at the end of the run
// whatever happens), temporary dirs removed at the end (scratchDir), and reading the
// `cairn-agent …` command lines the web app shows.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { agentBin, artifacts } from './config.mjs';
import { assert, sleep } from './util.mjs';

/** The arguments of the first `cairn-agent …` in a command line as the web app shows it. */
export function agentArgs(command) {
  const words = command.split('&&')[0].trim().split(/\s+/);
  assert(words[0] === 'cairn-agent', `not a cairn-agent command: ${command}`);
  return words.slice(1);
}

export function argAfter(args, flag) {
  const i = args.indexOf(flag);
  return i >= 0 ? (args[i + 1] ?? '') : '';
}

/** Started agent processes, killed at the end whatever happens, and their temporary dirs. */
export const agents = [];
export const agentDirs = [];

/** Run an agent command to completion; resolves {code, out}. */
export function runAgent(args, env = {}, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(agentBin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cairn-agent ${args[0]} did not finish within ${timeoutMs / 1000}s:\n${out}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Start a long-running agent command; output goes to artifacts/<name>.log and is kept in memory. */
export function spawnAgent(name, args, env = {}) {
  const logFile = createWriteStream(path.join(artifacts, `${name}.log`));
  const child = spawn(agentBin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { child, name, out: '', exit: null };
  const onData = (d) => {
    proc.out += d;
    logFile.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  proc.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      proc.exit = { code, signal };
      logFile.end();
      resolve(proc.exit);
    });
    child.on('error', (err) => {
      proc.out += `spawn error: ${err.message}`;
      proc.exit = { code: -1, signal: null };
      resolve(proc.exit);
    });
  });
  agents.push(proc);
  return proc;
}

export async function stopAgents() {
  for (const proc of agents) {
    if (proc.exit === null) {
      proc.child.kill('SIGTERM');
      await Promise.race([proc.exited, sleep(3000)]);
      if (proc.exit === null) proc.child.kill('SIGKILL');
    }
  }
}

/** A fresh temporary dir (os.tmpdir()/<prefix>XXXXXX), removed when the run ends. */
export async function scratchDir(prefix) {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  agentDirs.push(dir);
  return dir;
}

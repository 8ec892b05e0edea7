// The cairn-server under test: started on a free port with a fresh data dir on SQLite,
// speaking HTTPS with its own self-signed certificate (or plain HTTP with CAIRN_E2E_TLS=off);
// serverFetch for this process's own requests (it trusts exactly that certificate, and its
// /api/ answers are recorded); the certificate the server presents, for the pin checks; and
// the small local front that serves a frontend/dist newer than the server's embedded copy.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { apiRecorder } from '../record.mjs';
import { artifacts, distDir, serverBin, TLS } from './config.mjs';
import { log, sleep, waitForFile } from './util.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The server's self-signed certificate and key (PEM), once it has made them. */
export const serverTls = { cert: null, key: null };

export async function loadServerTls(dataDir) {
  const dir = path.join(dataDir, 'tls');
  serverTls.cert = await waitForFile(path.join(dir, 'self-signed.crt'), 30_000);
  serverTls.key = await waitForFile(path.join(dir, 'self-signed.key'));
}

/**
 * fetch() for this process's own requests to the server. Over HTTPS it trusts exactly the
 * server's self-signed certificate (no global switch-off of certificate checks); the answer
 * offers what the flow uses of a Response: status, headers.get, text(), json(). Its /api/
 * answers are recorded for the contract check (source "node").
 */
export const serverFetch = apiRecorder.wrapFetch(rawServerFetch);

function rawServerFetch(url, { method = 'GET', headers = {}, body } = {}) {
  if (!url.startsWith('https:')) return fetch(url, { method, headers, body });
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: serverTls.cert ?? undefined }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode,
          headers: { get: (name) => res.headers[name.toLowerCase()] ?? null },
          text: async () => text,
          json: async () => JSON.parse(text),
        });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** The SHA-256 of the certificate a TLS server presents, as colon-separated hex. */
export function presentedFingerprint(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ca: serverTls.cert ?? undefined }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

export async function waitForReady(base, server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`cairn-server exited early with code ${server.exitCode} (see artifacts/server.log)`);
    try {
      const res = await serverFetch(`${base}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`cairn-server did not answer 200 on /readyz within ${timeoutMs / 1000}s`);
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The server embeds frontend/dist when it is compiled. When its copy is older than the
 * freshly built web app (the server was not rebuilt since), the browser is pointed at this
 * small front instead: frontend/dist as static files (index.html for client routes) and
 * everything else proxied to the real server, Host header kept.
 */
export async function startDistFront(upstreamPort) {
  const port = await freePort();
  // Over TLS the front presents the server's own certificate, so agents that come through it
  // check the same pin.
  const handler = async (req, res) => {
    const url = new URL(req.url, 'http://front');
    if (url.pathname.startsWith('/api/') || url.pathname === '/healthz' || url.pathname === '/readyz' || url.pathname === '/metrics') {
      const upstream = (TLS ? https : http).request(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
          ...(TLS ? { ca: serverTls.cert } : {}),
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
      return;
    }
    let file = path.join(distDir, path.normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, ''));
    if (!file.startsWith(distDir)) file = path.join(distDir, 'index.html');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) file = path.join(distDir, 'index.html');
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
    createReadStream(file).pipe(res);
  };
  const front = TLS ? https.createServer({ cert: serverTls.cert, key: serverTls.key }, handler) : http.createServer(handler);
  front.requestTimeout = 0; // agent long-polls may pass through
  await new Promise((resolve) => front.listen(port, '127.0.0.1', resolve));
  return { front, url: `${TLS ? 'https' : 'http'}://127.0.0.1:${port}` };
}

/**
 * Starts `cairn-server serve` on a free port of 127.0.0.1 with a fresh temporary data dir;
 * its output goes to artifacts/server.log. Resolves once the process is spawned (not ready:
 * see waitForReady).
 */
export async function startServer() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-e2e-'));
  const port = await freePort();
  const base = `${TLS ? 'https' : 'http'}://127.0.0.1:${port}`;
  const serverLog = createWriteStream(path.join(artifacts, 'server.log'));
  log(`cairn e2e: server ${serverBin}\n           data ${dataDir}\n           url  ${base}`);

  const child = spawn(serverBin, ['serve'], {
    env: {
      ...process.env,
      CAIRN_DATA_DIR: dataDir,
      CAIRN_DATABASE_URL: `sqlite://${dataDir}/cairn.db`,
      CAIRN_LISTEN: `127.0.0.1:${port}`,
      // Where browsers reach it: single sign-on sends providers back to this URL.
      CAIRN_PUBLIC_URL: base,
      ...(TLS ? { CAIRN_TLS_MODE: 'self_signed' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(serverLog);
  child.stderr.pipe(serverLog);
  return { child, port, base, dataDir, log: serverLog };
}

/** SIGTERM, then SIGKILL after 5 s. */
export async function stopServer(child) {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** The one-time setup token the server writes into its data dir on first start. */
export function readSetupToken(dataDir) {
  return waitForFile(path.join(dataDir, 'setup-token'));
}

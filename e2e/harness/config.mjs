// Where things are and what the environment asks for. Read once, when the harness loads.
//
//   CAIRN_SERVER_BIN  the cairn-server to test (default ../backend/target/debug/cairn-server)
//   CAIRN_AGENT_BIN   the cairn-agent the fleet specs run (default ../backend/target/debug/cairn-agent)
//   CHROMIUM_BIN      the browser (default /usr/bin/chromium: Debian's, no download)
//   CAIRN_E2E_WEB     "embedded" serves the web app embedded in the server even when
//                     frontend/dist is newer (by default the newer dist is served through a local front)
//   CAIRN_E2E_TLS     "off" runs the server on plain HTTP instead of HTTPS with its self-signed certificate
//   CAIRN_E2E_BACKUP_MB  size of the data the jobs spec backs up (read there; default 256)
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The e2e/ folder. */
export const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Screenshots, logs and the recorded API answers of the last run (emptied when a run starts). */
export const artifacts = path.join(e2eDir, 'artifacts');
/** Every /api/ answer of the run, for the contract check (see ../record.mjs). */
export const apiResponsesFile = path.join(artifacts, 'api-responses.ndjson');
/** The spec files, run in the order of their names (NN-name.mjs). */
export const specsDir = path.join(e2eDir, 'specs');

export const serverBin = process.env.CAIRN_SERVER_BIN
  ? path.resolve(process.env.CAIRN_SERVER_BIN)
  : path.resolve(e2eDir, '../backend/target/debug/cairn-server');
export const agentBin = process.env.CAIRN_AGENT_BIN
  ? path.resolve(process.env.CAIRN_AGENT_BIN)
  : path.resolve(e2eDir, '../backend/target/debug/cairn-agent');
export const distDir = path.resolve(e2eDir, '../frontend/dist');
export const chromiumBin = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
/** A page's default timeout for each action and wait. */
export const STEP_TIMEOUT = 15_000;
/** HTTPS with the server's self-signed certificate (default), or plain HTTP. */
export const TLS = (process.env.CAIRN_E2E_TLS ?? 'self_signed') !== 'off';

// Hostile-LAN lab helpers (issue 8): run `xmscan scan` inside a lab's LAN namespace under
// /usr/bin/time -v (peak RSS of the scanner process itself), and compare honest devices between
// two reports. Plain .mjs so a shell can use it too: node test/hostile/lab-scan.mjs (see bottom).
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, LAB_SUBNET } from '../lab/lab.mjs';

export const XMSCAN = join(REPO_ROOT, 'packages/scanner/bin/xmscan.mjs');
/** Names in packages/simulator/profiles/hostile.json that behave honestly. */
export const HONEST = ['purifier', 'vacuum', 'host', 'bulb', 'gateway', 'leaky', 'router'];
export const HOSTILE = ['h-flood', 'h-jumbo', 'h-spoof', 'h-twin-a', 'h-twin-b', 'h-random', 'h-trickle', 'h-stream', 'h-mdns', 'h-deep'];
/** h-spoof answers from this address; the lab gives it to h-spoof's interface before a scan. */
export const SPOOF_ADDRESS = '10.213.1.77';

/** A native-JSON tokens file for the honest devices of a lab manifest. */
export function writeTokens(manifest, dir) {
  const file = join(dir, 'tokens.json');
  const list = manifest.devices.filter((d) => HONEST.includes(d.name) && d.port !== null).map((d) => ({ did: String(d.did), token: d.token, ip: d.address }));
  writeFileSync(file, JSON.stringify(list, null, 2));
  return file;
}

/** Give h-spoof its second address (only inside its own lab namespace). */
export async function addSpoofAddress(lab) {
  if (!lab.devices.some((d) => d.name === 'h-spoof')) return;
  const r = await lab.execIn('h-spoof', 'ip', ['addr', 'add', `${SPOOF_ADDRESS}/32`, 'dev', 'eth0']);
  if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`cannot add ${SPOOF_ADDRESS} to h-spoof: ${r.stderr}`);
}

function parseTime(stderr) {
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  return {
    peakRssMb: kb ? Math.round(Number(kb[1]) / 1024) : null,
    wallMs: wall ? Math.round(((Number(wall[1] ?? 0) * 60 + Number(wall[2])) * 60 + Number(wall[3])) * 1000) : null,
  };
}

/**
 * One scan of the lab subnet from its LAN namespace.
 * @returns {Promise<{ report: any, wallMs: number, peakRssMb: number | null, code: number | null, stderr: string }>}
 */
export async function scanLab(lab, { dir = mkdtempSync(join(tmpdir(), 'xm-hostile-')), tokensFile, extraArgs = [], timeoutMs = 180_000 } = {}) {
  const out = join(dir, `report-${Date.now()}.json`);
  const args = ['-v', process.execPath, XMSCAN, 'scan', '--target', LAB_SUBNET, '--no-history', '--quiet', '--output', out, ...(tokensFile ? ['--tokens', tokensFile] : []), ...extraArgs];
  const t0 = Date.now();
  const r = await lab.exec('/usr/bin/time', args, { timeoutMs, env: { ...process.env, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_RUNTIME_DIR: dir } });
  const outerMs = Date.now() - t0;
  const t = parseTime(r.stderr);
  const report = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null;
  return { report, wallMs: t.wallMs ?? outerMs, peakRssMb: t.peakRssMb, code: r.code, stderr: r.stderr };
}

/** Fields that legitimately differ between two scans of the same device. */
const VOLATILE = new Set(['elapsedMs', 'at', 'receivedAt', 'firstSeen', 'lastSeen', 'seenAt', 'stamp', 'life', 'uptime', 'startedAt', 'finishedAt', 'durationMs', 'replyHex', 'evidence']);

/** A device report with time-dependent fields removed and arrays of objects in a stable order. */
export function stable(value) {
  if (Array.isArray(value)) {
    const items = value.map(stable);
    // Order follows arrival (which source answered first), not meaning: compare as sets.
    return items.every((x) => typeof x === 'string' || typeof x === 'number') ? items.sort() : items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const k of Object.keys(value).sort()) if (!VOLATILE.has(k)) out[k] = stable(value[k]);
    return out;
  }
  return value;
}

/** Honest devices of a report, keyed by device id (else MAC, else IP), in comparable form. */
export function honestDevices(report, manifest) {
  const honest = manifest.devices.filter((d) => HONEST.includes(d.name));
  const out = {};
  for (const h of honest) {
    const dev = (report?.devices ?? []).filter((d) => d.ip === h.address);
    out[h.name] = dev.map(stable);
  }
  return out;
}

/**
 * vitest globalSetup (issue 8): read-only proven by the simulators' request logs across the WHOLE test
 * suite. Setup points XMSCAN_SIM_LOG_DIR at a fresh directory (every simulator, in-process or `xmsim`
 * child, in the lab or on loopback, appends a copy of its request log there: request-log.ts); teardown
 * reads every file and fails the run if any request that would change a device (`readOnly: false`)
 * reached a simulator, naming the test file. Exempt: the simulator's own unit tests
 * (packages/simulator/src/**), which send writes on purpose to prove the simulator flags them.
 * XMSCAN_SIM_LOG_KEEP=1 keeps the directory; the summary goes to stderr.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const EXEMPT = [/^packages_simulator_src_/, /^packages\/simulator\/src\//];

export interface SuiteLogSummary {
  files: number;
  records: number;
  readOnly: number;
  writes: { file: string; device: string; proto: string; kind: string }[];
  exempt: number;
}

export function summarizeSuiteLogs(dir: string): SuiteLogSummary {
  const out: SuiteLogSummary = { files: 0, records: 0, readOnly: 0, writes: [], exempt: 0 };
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return out;
  }
  for (const name of names) {
    out.files++;
    const tag = name.split('~')[0] ?? name;
    const exempt = EXEMPT.some((re) => re.test(tag));
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let r: { readOnly?: unknown; device?: unknown; proto?: unknown; kind?: unknown };
      try {
        r = JSON.parse(line) as typeof r;
      } catch {
        continue; // a line cut by a killed simulator
      }
      out.records++;
      if (r.readOnly === true) out.readOnly++;
      else if (exempt) out.exempt++;
      else out.writes.push({ file: tag, device: String(r.device), proto: String(r.proto), kind: String(r.kind) });
    }
  }
  return out;
}

export default function setup(): () => void {
  const own = process.env['XMSCAN_SIM_LOG_DIR'] === undefined;
  const dir = process.env['XMSCAN_SIM_LOG_DIR'] ?? mkdtempSync(join(tmpdir(), 'xmscan-simlog-'));
  process.env['XMSCAN_SIM_LOG_DIR'] = dir;
  return () => {
    const s = summarizeSuiteLogs(dir);
    process.stderr.write(
      `[read-only] ${s.records} simulator request(s) in ${s.files} log(s) across the suite: ${s.readOnly} read-only, ${s.writes.length} write(s)` +
        `${s.exempt > 0 ? ` (+${s.exempt} deliberate write(s) by the simulator's own unit tests)` : ''}\n`,
    );
    if (own && !process.env['XMSCAN_SIM_LOG_KEEP']) rmSync(dir, { recursive: true, force: true });
    if (s.writes.length > 0) {
      const list = s.writes.slice(0, 20).map((w) => `  ${w.file}: ${w.device} ${w.proto} ${w.kind}`).join('\n');
      throw new Error(`read-only violated: ${s.writes.length} request(s) that would change a device reached a simulator:\n${list}`);
    }
  };
}

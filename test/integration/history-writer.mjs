// Child process for history-crash.test.ts: writes scans to a history database in a loop and prints
// "committed <id> <seq>" after each transaction returns, until it is killed.
// Usage: node history-writer.mjs <db> <startSeq> <devicesPerScan>
import { openHistory } from '../../packages/report/dist/index.js';

const [db, startSeq = '1', perScan = '400'] = process.argv.slice(2);
const sev = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };

function report(seq) {
  const devices = [];
  const findings = [];
  for (let i = 0; i < Number(perScan); i++) {
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const deviceId = String(100000 + i);
    devices.push({
      ip, mac: null, vendor: null, xiaomiFamily: null, deviceId, model: 'zhimi.airpurifier.ma4', names: [`dev-${seq}-${i}`], sources: ['hello'],
      firmware: { version: `1.0.${seq}`, hardware: null, wifi: null, mcu: null },
      token: { state: 'hidden', supplied: false, valid: null, fingerprint: null }, openPorts: [],
      extras: { padding: 'x'.repeat(512) },
    });
    findings.push({ checkId: 'firmware-older-than-known', severity: 'low', title: 't', ip, deviceId, evidence: { seq }, remediation: 'r', references: [] });
  }
  return {
    schemaVersion: 1, tool: { name: 'xmscan', version: 'crash-test' },
    startedAt: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(), finishedAt: new Date(Date.UTC(2026, 0, 1) + seq * 1000 + 500).toISOString(),
    options: { seq }, devices, checks: [], findings,
    summary: { devices: devices.length, findingsBySeverity: { ...sev, low: findings.length }, checksByStatus: { pass: 0, fail: 0, error: 0, skipped: 0 } },
  };
}

const store = openHistory(db);
for (let seq = Number(startSeq); ; seq++) {
  const id = store.addScan(report(seq));
  process.stdout.write(`committed ${id} ${seq}\n`);
}

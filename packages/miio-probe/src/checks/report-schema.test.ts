/**
 * Findings and runs from the built-in checks are valid report v1 data: built into a report with
 * `buildReport` they pass the published JSON Schema (packages/report/schema/report-v1.schema.json).
 */
import { readFileSync } from 'node:fs';
import { buildReport, renderJson, REPORT_SCHEMA_V1_URL } from '@xmscan/report';
import type { DeviceReport } from '@xmscan/report';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { loadAdvisoryDatabaseSync } from '../advisories/load.js';
import { runChecks } from './run.js';
import type { DeviceAuditContext } from './types.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;
const db = loadAdvisoryDatabaseSync();

const contexts: DeviceAuditContext[] = [
  {
    device: { ip: '192.168.1.1', mac: '50:64:2B:00:00:01', vendor: 'Xiaomi Communications Co Ltd', xiaomiFamily: 'strong', deviceId: null, model: 'xiaomi.router.r3600', names: [], sources: ['target'] },
    ports: [
      { port: 23, protocol: 'tcp', service: 'telnet', banner: 'login:', open: true },
      { port: 21, protocol: 'tcp', service: 'ftp', banner: '220', open: true },
      { port: 80, protocol: 'tcp', service: 'http', banner: null, open: true },
    ],
    ecosystem: { routerInitInfo: { hardware: 'R3600', romversion: '1.0.17', serialRedacted: '3641…', inited: false } },
    advisories: db,
  },
  {
    device: { ip: '192.168.1.50', mac: '04:CF:8C:00:00:50', vendor: null, xiaomiFamily: 'strong', deviceId: '98765', model: 'lumi.gateway.mgl03', names: ['lumi-gateway-mgl03_miio98765'], sources: ['mdns'] },
    hello: { ok: true, tokenField: 'exposed', tokenFingerprint: 'tok:0123456789ab', stamp: 1 },
    tokenProbe: { suppliedFingerprint: null, suppliedValid: null, exposedConfirmed: true },
    info: { ok: true, value: { model: 'lumi.gateway.mgl03', fw_ver: '1.4.5_0016', ot: 'none' } },
    ports: [
      { port: 23, protocol: 'tcp', service: 'telnet', banner: 'rlxlinux login:', open: true },
      { port: 1883, protocol: 'tcp', service: 'mqtt', banner: null, open: true, details: { mqttConnack: 0 } },
    ],
    ecosystem: {},
    advisories: db,
  },
  {
    device: { ip: '192.168.1.60', mac: null, vendor: null, xiaomiFamily: null, deviceId: '42', model: 'roborock.vacuum.s5', names: [], sources: ['mdns'], mdns: [{ type: '_valetudo._tcp', name: 'v', txt: {} }] },
    ports: [{ port: 22, protocol: 'tcp', service: 'ssh', banner: 'SSH-2.0-dropbear', open: true }, { port: 8554, protocol: 'tcp', service: 'rtsp', banner: null, open: true, details: { rtspAuth: false } }],
    ecosystem: { valetudo: { version: null } },
    advisories: db,
  },
];

function deviceReport(ctx: DeviceAuditContext): DeviceReport {
  const d = ctx.device;
  return {
    ip: d.ip,
    mac: d.mac,
    vendor: d.vendor,
    xiaomiFamily: d.xiaomiFamily,
    deviceId: d.deviceId,
    model: d.model,
    names: d.names,
    sources: d.sources,
    firmware: null,
    token: { state: 'unknown', supplied: false, valid: null, fingerprint: null },
    openPorts: ctx.ports.map((p) => ({ port: p.port, protocol: p.protocol, service: p.service, banner: p.banner })),
  };
}

describe('built-in check output against report-v1.schema.json', () => {
  it('validates', () => {
    const runs = [];
    const findings = [];
    for (const ctx of contexts) {
      const out = runChecks(ctx);
      runs.push(...out.runs);
      findings.push(...out.findings);
    }
    expect(findings.length).toBeGreaterThan(20);
    const report = buildReport({ tool: { name: 'xmscan', version: '0.0.0' }, startedAt: 0, devices: contexts.map(deviceReport), checks: runs, findings }, { now: () => 1000 });
    const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(REPORT_SCHEMA_V1_URL, 'utf8')) as object);
    const ok = validate(JSON.parse(renderJson(report)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});

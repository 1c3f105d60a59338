import type { PortResult } from '@xmscan/miio-probe';
import type { CheckRun } from '@xmscan/report';
import { describe, expect, it } from 'vitest';
import type { DeviceRecord } from '../discovery/merge.js';
import type { Sighting } from '../discovery/sighting.js';
import { HELLO_FLOOD_THRESHOLD, IDENTITY_FLOOD_THRESHOLD, hostileWarnings, observeJunk } from './hostile-signals.js';

const record = (over: Partial<DeviceRecord>): DeviceRecord => ({
  key: 'ip:x', ip: null, mac: null, vendor: null, xiaomiFamily: null, deviceId: null, model: null, names: [], sources: [], hello: null,
  firmware: [], services: [], yeelight: null, lumi: null, conflicts: [], evidence: [], firstSeen: 0, lastSeen: 0, ...over,
});
const hello = (ip: string): Sighting => ({ source: 'hello-sweep', at: 0, ip, mac: null, deviceId: '1', model: null, names: [], hello: { stamp: 1, receivedAt: 0, tokenField: 'hidden', hiddenAs: 'ff', printableToken: null, token: null, replyHex: '' } as never });
const port = (p: number, stop: NonNullable<PortResult['read']>['stop'], bytes: number): PortResult => ({ port: p, protocol: 'tcp', open: true, state: 'open', service: null, banner: null, details: null, read: { bytes, stop }, elapsedMs: 1 });
const empty = { discovery: { devices: [], sightings: [] }, ports: new Map(), runs: [], junk: new Map(), bannerTimeoutMs: 1000 };

describe('hostile signals', () => {
  it('nothing for an honest LAN', () => {
    expect(
      hostileWarnings({
        ...empty,
        discovery: { devices: [record({ ip: '10.0.0.2', deviceId: '1' })], sightings: [hello('10.0.0.2'), hello('10.0.0.2'), hello('10.0.0.2')] },
        ports: new Map([['10.0.0.2', [port(22, 'matched', 21), port(80, 'eof', 300)]]]),
        runs: [{ checkId: 'x', deviceId: '1', ip: '10.0.0.2', status: 'error', error: { code: 'MIIO_ERR_TIMEOUT', message: 't' } }],
      }),
    ).toEqual([]);
  });

  it('a hello flood, an identity flood and a duplicated device id', () => {
    const sightings = Array.from({ length: HELLO_FLOOD_THRESHOLD + 1 }, () => hello('10.0.0.3'));
    const devices = [
      ...Array.from({ length: IDENTITY_FLOOD_THRESHOLD + 1 }, (_, i) => record({ ip: '10.0.0.4', deviceId: String(i) })),
      record({ ip: '10.0.0.5', deviceId: '77', conflicts: [{ field: 'ip', values: [{ value: '10.0.0.5', sources: ['hello-sweep'] }, { value: '10.0.0.6', sources: ['hello-sweep'] }] } as never] }),
    ];
    const w = hostileWarnings({ ...empty, discovery: { devices, sightings } });
    expect(w.map((x) => `${x.code} ${x.ip}`)).toEqual(['SCAN_WARN_REPLY_FLOOD 10.0.0.3', 'SCAN_WARN_IDENTITY_FLOOD 10.0.0.4', 'SCAN_WARN_DUPLICATE_DEVICE_ID 10.0.0.5']);
    expect(w[2]!.message).toContain('10.0.0.5, 10.0.0.6');
  });

  it('trickling and never-ending TCP services, malformed miIO replies', () => {
    const runs: CheckRun[] = [
      { checkId: 'a', deviceId: '9', ip: '10.0.0.9', status: 'error', error: { code: 'MIIO_ERR_BAD_REPLY', message: 'miIO.info result is not an object' } },
      { checkId: 'b', deviceId: '9', ip: '10.0.0.9', status: 'error', error: { code: 'MIIO_ERR_BAD_REPLY', message: 'miIO.info result is not an object' } },
    ];
    const w = hostileWarnings({ ...empty, ports: new Map([['10.0.0.8', [port(22, 'timeout', 2), port(80, 'limit', 4096), port(23, 'timeout', 0)]]]), runs });
    expect(w.map((x) => x.code)).toEqual(['SCAN_WARN_SLOW_BANNER', 'SCAN_WARN_OVERSIZED_REPLY', 'SCAN_WARN_BAD_REPLY']);
  });

  it('observeJunk tallies junk per address and caps its log lines', () => {
    const lines: string[] = [];
    const base = { debug() {}, info() {}, error() {}, warn: (_o: object, m?: string) => void lines.push(m ?? '') };
    const { logger, junk } = observeJunk(base);
    for (let i = 0; i < 1000; i++) logger.warn({ from: '10.0.0.7:54321', bytes: i === 3 ? 65507 : 40, source: 'hello-sweep' }, 'junk hello reply ignored');
    logger.warn({ ip: '10.0.0.1' }, 'port probe failed');
    expect(junk.get('10.0.0.7')).toEqual({ count: 1000, maxBytes: 65507, sources: ['hello-sweep'] });
    expect(lines.length).toBe(6);
    const w = hostileWarnings({ ...empty, junk });
    expect(w[0]!.message).toMatch(/1,000 malformed datagram\(s\) \(hello-sweep\), largest 65,507 bytes \(oversized/);
  });
});

/**
 * miio-prefetch with a fake probe port (no sockets): an early session is reused only for the same
 * address, token and timeouts; a device with no miIO sign and no supplied token gets no early packet.
 */
import { describe, expect, it } from 'vitest';
import { Token, type TokenEntry } from '@xmscan/miio-probe';
import type { DeviceRecord } from '../discovery/merge.js';
import { createMiioPrefetch } from './miio-prefetch.js';
import type { MiioSessionResult, ScanProbes } from './probes.js';

const A = Token.fromHex('00112233445566778899aabbccddeeff');
const B = Token.fromHex('ffeeddccbbaa99887766554433221100');

function record(over: Partial<DeviceRecord>): DeviceRecord {
  return {
    key: 'ip:10.9.0.5', ip: '10.9.0.5', mac: null, vendor: null, xiaomiFamily: null, deviceId: null, model: null, names: [],
    sources: ['arp'], hello: null, firmware: [], services: [], yeelight: null, lumi: null, conflicts: [], evidence: [],
    firstSeen: 0, lastSeen: 0, ...over,
  };
}

function fakeProbes() {
  const calls: Array<{ address: string; token: Token | undefined }> = [];
  const probes = {
    miio: async (o: { address: string; token?: Token | undefined }): Promise<MiioSessionResult> => {
      calls.push({ address: o.address, token: o.token });
      return { handshake: { ok: false, error: { code: 'MIIO_ERR_TIMEOUT', message: `silent ${calls.length}` } } };
    },
  } as unknown as ScanProbes;
  return { probes, calls };
}

const entry = (token: Token, ip: string): TokenEntry => ({ token, ip, source: { file: 't.json', format: 'native-json', index: 0 } }) as TokenEntry;
const signal = new AbortController().signal;

describe('createMiioPrefetch', () => {
  it('serves the early session to the audit when address, token and timeouts match', async () => {
    const { probes, calls } = fakeProbes();
    const p = createMiioPrefetch(probes, { tokens: [entry(A, '10.9.0.5')], timeoutMs: 300, retries: 1, signal });
    p.start(record({}));
    p.start(record({ sources: ['hello-sweep'] })); // same address again: still one session
    expect(calls).toHaveLength(1);
    expect(calls[0]!.token?.equals(A)).toBe(true);
    const early = await p.probes.miio({ address: '10.9.0.5', token: A, timeoutMs: 300, retries: 1, signal });
    expect(early.handshake.ok === false && early.handshake.error.message).toBe('silent 1');
    expect(calls).toHaveLength(1);
  });

  it('runs the real probe for another token, other timeouts or another address', async () => {
    const { probes, calls } = fakeProbes();
    const p = createMiioPrefetch(probes, { tokens: [entry(A, '10.9.0.5')], timeoutMs: 300, retries: 1, signal });
    p.start(record({}));
    await p.probes.miio({ address: '10.9.0.5', token: B, timeoutMs: 300, retries: 1, signal });
    await p.probes.miio({ address: '10.9.0.5', token: A, timeoutMs: 500, retries: 1, signal });
    await p.probes.miio({ address: '10.9.0.5', token: undefined, timeoutMs: 300, retries: 1, signal });
    await p.probes.miio({ address: '10.9.0.6', token: A, timeoutMs: 300, retries: 1, signal });
    expect(calls).toHaveLength(5);
  });

  it('sends nothing early to a device without a miIO sign or a supplied token, nor after abort', () => {
    const { probes, calls } = fakeProbes();
    const ac = new AbortController();
    const p = createMiioPrefetch(probes, { tokens: [], timeoutMs: 300, retries: 1, signal: ac.signal });
    p.start(record({ sources: ['arp', 'mdns'] }));
    p.start(record({ ip: null, sources: ['hello-sweep'] }));
    expect(calls).toHaveLength(0);
    p.start(record({ ip: '10.9.0.7', services: [{ type: '_miio._udp' } as DeviceRecord['services'][number]] }));
    expect(calls).toHaveLength(1);
    ac.abort();
    p.start(record({ ip: '10.9.0.8', sources: ['hello-sweep'] }));
    expect(calls).toHaveLength(1);
  });
});

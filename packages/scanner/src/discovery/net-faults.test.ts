import { describe, expect, it } from 'vitest';
import { errnoOf, lostInterfaces, networkFaultWarnings, summarizeSendProblems } from './net-faults.js';

describe('net faults (pure)', () => {
  it('errnoOf keeps errno names, anything else is SEND_FAILED', () => {
    expect(errnoOf(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('EACCES');
    expect(errnoOf(Object.assign(new Error('x'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }))).toBe('SEND_FAILED');
    expect(errnoOf(null)).toBe('SEND_FAILED');
    expect(errnoOf('boom')).toBe('SEND_FAILED');
  });

  it('groups by source and errno, counts, keeps 3 distinct examples', () => {
    const s = summarizeSendProblems([
      { source: 'hello-broadcast', code: 'EACCES', dest: '10.0.0.255', iface: 'eth0' },
      { source: 'hello-sweep', code: 'ENETUNREACH', dest: '10.0.0.2' },
      { source: 'hello-broadcast', code: 'EACCES', dest: '10.0.0.255', iface: 'eth0' },
      ...['10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'].map((dest) => ({ source: 'hello-sweep', code: 'ENETUNREACH', dest })),
    ]);
    expect(s.map((g) => [g.source, g.code, g.count, g.examples])).toEqual([
      ['hello-broadcast', 'EACCES', 2, ['10.0.0.255 via eth0']],
      ['hello-sweep', 'ENETUNREACH', 5, ['10.0.0.2', '10.0.0.3', '10.0.0.4']],
    ]);
    expect(s[0]!.message).toBe('2 hello-broadcast send(s) refused by the system (EACCES), e.g. to 10.0.0.255 via eth0: devices there may be missing');
    expect(summarizeSendProblems([])).toEqual([]);
  });

  it('an interface is lost when its name or its address is gone', () => {
    const chosen = [
      { name: 'eth0', address: '10.0.0.1' },
      { name: 'wlan0', address: '192.168.1.2' },
      { name: 'lo', address: '127.0.0.1' },
    ];
    expect(lostInterfaces(chosen, [{ name: 'lo', address: '127.0.0.1' }, { name: 'wlan0', address: '192.168.1.9' }])).toEqual(['eth0', 'wlan0']);
    expect(lostInterfaces(chosen, chosen)).toEqual([]);
  });

  it('warnings: one per send-error group and per lost interface (deduplicated)', () => {
    const w = networkFaultWarnings(
      { sendErrors: summarizeSendProblems([{ source: 'lumi', code: 'ENETUNREACH', dest: '224.0.0.50' }]), interfacesLost: ['eth0'] },
      ['eth0', 'eth1'],
    );
    expect(w.map((x) => x.code)).toEqual(['SCAN_WARN_SEND_FAILED', 'SCAN_WARN_INTERFACE_LOST', 'SCAN_WARN_INTERFACE_LOST']);
    expect(w[1]!.message).toMatch(/^interface eth0 went away during the scan/);
    expect(networkFaultWarnings({ sendErrors: [], interfacesLost: [] })).toEqual([]);
  });
});

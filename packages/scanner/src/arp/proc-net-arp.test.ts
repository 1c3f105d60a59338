import { describe, expect, it } from 'vitest';
import { macFromNodeArpResult, parseProcNetArp } from './proc-net-arp.js';

const TABLE = `IP address       HW type     Flags       HW address            Mask     Device
10.77.0.21       0x1         0x2         78:11:dc:12:34:56     *        eth0
10.77.0.22       0x1         0x0         00:00:00:00:00:00     *        eth0
10.77.0.23       0x1         0x6         54:ef:44:00:00:01     *        eth0
garbage line
10.77.0.999      0x1         0x2         78:11:dc:12:34:57     *        eth0
10.77.0.24       0x1         0x2         not-a-mac             *        eth0
`;

describe('/proc/net/arp', () => {
  it('keeps complete entries, skips incomplete and junk', () => {
    expect(parseProcNetArp(TABLE)).toEqual([
      { ip: '10.77.0.21', mac: '78:11:DC:12:34:56', interface: 'eth0' },
      { ip: '10.77.0.23', mac: '54:EF:44:00:00:01', interface: 'eth0' },
    ]);
    expect(parseProcNetArp('')).toEqual([]);
  });
});

describe('node-arp results', () => {
  it('(incomplete), undefined and errors are absences', () => {
    expect(macFromNodeArpResult(false, '(incomplete)')).toBeNull();
    expect(macFromNodeArpResult(false, undefined)).toBeNull();
    expect(macFromNodeArpResult(true, 'Could not find ip in arp table')).toBeNull();
    expect(macFromNodeArpResult(false, '0:19:99:50:3a:3')).toBe('00:19:99:50:3A:03');
  });
});

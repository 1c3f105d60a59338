import { describe, expect, it } from 'vitest';
import { ScanError } from '../errors.js';
import { formatIpv4, maskToPrefix, parseIpv4 } from './ipv4.js';
import { expandTargets, parseTarget } from './parse.js';
import { checkScope } from './scope.js';

const code = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof ScanError ? e.code : 'OTHER';
  }
};

describe('IPv4 helpers', () => {
  it('round-trips and rejects junk', () => {
    expect(formatIpv4(parseIpv4('192.168.1.254')!)).toBe('192.168.1.254');
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', 'a.b.c.d', '', ' 1.2.3.4']) expect(parseIpv4(bad)).toBeNull();
    expect(maskToPrefix('255.255.252.0')).toBe(22);
    expect(maskToPrefix('255.0.255.0')).toBeNull();
  });
});

describe('parseTarget', () => {
  it('CIDR: network normalised, network/broadcast skipped', () => {
    const t = parseTarget('192.168.1.77/24');
    expect(t).toMatchObject({ kind: 'cidr', first: parseIpv4('192.168.1.0'), last: parseIpv4('192.168.1.255') });
    const hosts = expandTargets([t]);
    expect(hosts).toHaveLength(254);
    expect(hosts[0]).toBe('192.168.1.1');
    expect(hosts.at(-1)).toBe('192.168.1.254');
    expect(expandTargets([parseTarget('10.0.0.8/31')])).toEqual(['10.0.0.8', '10.0.0.9']);
  });
  it('ranges: last octet and full addresses', () => {
    expect(expandTargets([parseTarget('127.0.0.10-12')])).toEqual(['127.0.0.10', '127.0.0.11', '127.0.0.12']);
    expect(expandTargets([parseTarget('10.0.0.254-10.0.1.1')])).toEqual(['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
  });
  it('single IP, de-duplicated across targets', () => {
    expect(expandTargets([parseTarget('127.0.0.5'), parseTarget('127.0.0.4-6')])).toEqual(['127.0.0.5', '127.0.0.4', '127.0.0.6']);
  });
  it.each(['', 'foo', '10.0.0.0/33', '10.0.0.0/', '10.0.0.300', '10.0.0.9-3', '10.0.0.1-256', '10.0.0.1-x', '/24', '10.0.0.0/8/8'])(
    'invalid %j → SCAN_ERR_TARGET',
    (spec) => {
      expect(code(() => parseTarget(spec))).toBe('SCAN_ERR_TARGET');
    },
  );
});

describe('scope guard', () => {
  it('accepts private, loopback and link-local', () => {
    for (const spec of ['10.0.0.0/16', '172.16.5.0/24', '192.168.0.0/16', '127.0.0.10-20', '169.254.1.1']) {
      expect(code(() => checkScope([parseTarget(spec)]))).toBeNull();
    }
  });
  it('refuses public targets (even a straddling one) unless allowPublic', () => {
    for (const spec of ['8.8.8.8', '192.0.2.0/24', '172.32.0.1', '100.64.0.1', '192.168.255.255-192.169.0.1', '0.0.0.0/0']) {
      const t = parseTarget(spec);
      expect(code(() => checkScope([t], { allowLarge: true }))).toBe('SCAN_ERR_SCOPE');
      expect(code(() => checkScope([t], { allowLarge: true, allowPublic: true }))).toBeNull();
    }
  });
  it('/16 passes, /15 is refused unless allowLarge', () => {
    expect(code(() => checkScope([parseTarget('10.1.0.0/16')]))).toBeNull();
    expect(code(() => checkScope([parseTarget('10.0.0.0/15')]))).toBe('SCAN_ERR_TOO_LARGE');
    expect(code(() => checkScope([parseTarget('10.0.0.0/15')], { allowLarge: true }))).toBeNull();
    expect(code(() => checkScope([parseTarget('10.0.0.0-10.1.0.0')]))).toBe('SCAN_ERR_TOO_LARGE');
  });
  it('the first offending target stops everything', () => {
    expect(code(() => checkScope([parseTarget('127.0.0.1'), parseTarget('1.1.1.1')]))).toBe('SCAN_ERR_SCOPE');
  });
});

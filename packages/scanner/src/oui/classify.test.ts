import { describe, expect, it } from 'vitest';
import { classifyMac, type OuiRegistry } from './classify.js';
import { isLocallyAdministered, normalizeMac } from './mac.js';

describe('normalizeMac', () => {
  it('accepts the forms seen in ARP, TXT and miIO.info', () => {
    expect(normalizeMac('7811dc123456')).toBe('78:11:DC:12:34:56');
    expect(normalizeMac('78-11-dc-12-34-56')).toBe('78:11:DC:12:34:56');
    expect(normalizeMac('0:19:99:50:3a:3')).toBe('00:19:99:50:3A:03');
  });
  it('rejects junk and the all-zero MAC', () => {
    for (const bad of ['', '(incomplete)', '00:00:00:00:00:00', '7811dc12345', 'zz:11:dc:12:34:56', undefined, null]) {
      expect(normalizeMac(bad)).toBeNull();
    }
  });
  it('flags locally administered MACs', () => {
    expect(isLocallyAdministered('12:B4:29:35:44:65')).toBe(true);
    expect(isLocallyAdministered('F0:B4:29:35:44:65')).toBe(false);
  });
});

describe('classifyMac with the real oui-data registry', () => {
  it('strong: Xiaomi companies and ecosystem brands', () => {
    expect(classifyMac('78:11:DC:12:34:56')).toMatchObject({ vendor: 'XIAOMI Electronics,CO.,LTD', prefix: '7811DC', xiaomiFamily: 'strong' });
    expect(classifyMac('54:EF:44:00:00:01')).toMatchObject({ vendor: 'Lumi United Technology Co., Ltd', xiaomiFamily: 'strong' });
    expect(classifyMac('24:9E:7D:00:00:01').xiaomiFamily).toBe('strong'); // Roborock
    expect(classifyMac('F8:24:41:00:00:01')).toMatchObject({ vendor: 'Yeelink', xiaomiFamily: 'strong' });
  });
  it('MA-M block beats its parent MA-L (longest prefix first)', () => {
    // 10:06:48:A is Dreame (MA-M) inside an MA-L registered to someone else.
    const r = classifyMac('10:06:48:A1:23:45');
    expect(r.prefix).toBe('100648A');
    expect(r.vendor).toMatch(/Dreame/);
    expect(r.xiaomiFamily).toBe('strong');
  });
  it('weak: Espressif, MXCHIP, Realtek', () => {
    expect(classifyMac('04:78:63:00:00:01').xiaomiFamily).toBe('weak'); // MXCHIP
    const esp = classifyMac('24:0A:C4:00:00:01');
    expect(esp.vendor).toMatch(/Espressif/);
    expect(esp.xiaomiFamily).toBe('weak');
    expect(classifyMac('00:E0:4C:00:00:01')).toMatchObject({ xiaomiFamily: 'weak' }); // Realtek
  });
  it('others: vendor but no family; unknown: nothing', () => {
    const apple = classifyMac('00:03:93:00:00:01');
    expect(apple.vendor).toMatch(/Apple/);
    expect(apple.xiaomiFamily).toBeNull();
    expect(classifyMac('12:B4:29:35:44:65')).toMatchObject({ vendor: null, xiaomiFamily: null, locallyAdministered: true });
  });
});

describe('classifyMac with an injected registry', () => {
  it('prefers the 9-digit MA-S entry over 7 and 6', () => {
    const reg: OuiRegistry = { AABBCC: 'Big\nx', AABBCCD: 'Medium\nx', AABBCCDDE: 'Small\nx' };
    expect(classifyMac('AA:BB:CC:DD:EE:FF', reg).vendor).toBe('Small');
    expect(classifyMac('AA:BB:CC:D0:00:00', reg).vendor).toBe('Medium');
    expect(classifyMac('AA:BB:CC:00:00:00', reg).vendor).toBe('Big');
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isSimError } from './errors.js';
import { builtinProfileNames, loadProfiles } from './load-profiles.js';
import { ProfileError, type ProfileSet, assignLoopbackAddresses, miioInstanceName, validateProfileSet } from './profile.js';
import { planPlacements } from './simulator.js';

const ref = (f: string) => fileURLToPath(new URL(`../../../../shared/reference/${f}`, import.meta.url));

const base = () => ({
  name: 'plug',
  model: 'cuco.plug.v3',
  did: 575059092,
  token: 'ed0ec8e98fd21edd701ee653713a293b',
  mac: '68:AB:BC:E6:21:5E',
  fw_ver: '1.0.7',
  hw_ver: 'ESP32C3',
  miio: {},
});

function issuesOf(value: unknown): string[] {
  try {
    validateProfileSet(value);
  } catch (e) {
    expect(e).toBeInstanceOf(ProfileError);
    expect((e as ProfileError).code).toBe('SIM_ERR_PROFILE');
    return [...(e as ProfileError).issues];
  }
  throw new Error('expected a validation error');
}

describe('validateProfileSet', () => {
  it('accepts a minimal device', () => {
    const set = validateProfileSet({ devices: [base()] });
    expect(set.devices[0]!.name).toBe('plug');
  });

  it.each([
    ['not an object', 42, /devices: must be an array/],
    ['no devices', { devices: [] }, /devices: must not be empty/],
    ['bad token', { devices: [{ ...base(), token: 'xyz' }] }, /devices\[0\]\.token/],
    ['bad mac', { devices: [{ ...base(), mac: '68-AB-BC-E6-21-5E' }] }, /devices\[0\]\.mac/],
    ['did out of range', { devices: [{ ...base(), did: 2 ** 32 }] }, /devices\[0\]\.did: must be a uint32/],
    ['missing model', { devices: [{ ...base(), model: '' }] }, /devices\[0\]\.model/],
    ['bad address', { devices: [{ ...base(), address: '127.0.0.300' }] }, /devices\[0\]\.address/],
    ['duplicate names', { devices: [base(), base()] }, /duplicate name "plug"/],
    ['bad hiddenAs', { devices: [{ ...base(), miio: { hiddenAs: 'aa' } }] }, /miio\.hiddenAs/],
    ['bad stampStart', { devices: [{ ...base(), miio: { stampStart: 'boot' } }] }, /miio\.stampStart/],
    ['bad helloReply', { devices: [{ ...base(), miio: { helloReply: 'weird' } }] }, /miio\.helloReply/],
    ['bad wrongTokenReply', { devices: [{ ...base(), miio: { wrongTokenReply: 'rst' } }] }, /miio\.wrongTokenReply/],
    ['bad mdns type', { devices: [{ ...base(), mdns: [{ type: 'miio.udp' }] }] }, /mdns\[0\]\.type/],
    ['malformedTxt on other type', { devices: [{ ...base(), mdns: [{ type: '_hap._tcp', port: 80, malformedTxt: true }] }] }, /only _miio\._udp/],
    ['bad tcp service', { devices: [{ ...base(), tcp: [{ port: 23, service: 'gopher' }] }] }, /tcp\[0\]\.service/],
    ['duplicate tcp port', { devices: [{ ...base(), tcp: [{ port: 23, service: 'telnet' }, { port: 23, service: 'ssh' }] }] }, /duplicate port 23/],
    ['yeelight without fw', { devices: [{ ...base(), yeelight: { model: 'color' } }] }, /yeelight/],
    ['router without serial', { devices: [{ ...base(), router: { hardware: 'RB03', romversion: '1.0.54' } }] }, /router\.serial/],
  ])('rejects %s', (_label, value, pattern) => {
    const issues = issuesOf(value);
    expect(issues.some((i) => pattern.test(i)), issues.join('\n')).toBe(true);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf({ devices: [{ ...base(), token: '', mac: 'x', did: -1 }] });
    expect(issues.length).toBeGreaterThanOrEqual(3);
  });
});

describe('built-in profiles', () => {
  const ouis = new Set<string>();
  // The OUI table lives in the shared reference folder; without it only the OUI check is skipped.
  const ouiFile = ref('xiaomi-ouis.json');
  if (existsSync(ouiFile)) {
    const data = JSON.parse(readFileSync(ouiFile, 'utf8')) as { groups: { group: string; vendors: { prefixes: string[] }[] }[] };
    for (const g of data.groups) if (!/Wi-Fi module/i.test(g.group)) for (const v of g.vendors) for (const p of v.prefixes) ouis.add(p.toUpperCase());
  }

  it('lists demo and lab', () => {
    expect(builtinProfileNames()).toEqual(expect.arrayContaining(['demo', 'lab']));
  });

  it.each(['demo', 'lab', 'lab-scan'])('%s validates, uses Xiaomi-family OUIs and distinct tokens', (name) => {
    const set = loadProfiles(name);
    expect(set.devices.length).toBeGreaterThanOrEqual(8);
    if (ouis.size > 0) for (const d of set.devices) expect(ouis.has(d.mac.slice(0, 8).toUpperCase()), `${d.name} ${d.mac}`).toBe(true);
    expect(new Set(set.devices.map((d) => d.token)).size).toBe(set.devices.length);
  });

  it('demo covers the required behaviours', () => {
    const d = loadProfiles('demo').devices;
    expect(d.length).toBeGreaterThanOrEqual(10);
    expect(d.some((x) => x.miio?.leakToken)).toBe(true);
    expect(d.some((x) => x.miio && !x.miio.leakToken)).toBe(true);
    expect(d.some((x) => x.mdns?.some((m) => m.malformedTxt))).toBe(true);
    expect(d.some((x) => !x.miio)).toBe(true);
    for (const s of ['ssh', 'telnet', 'rtsp', 'mqtt', 'http']) expect(d.some((x) => x.tcp?.some((t) => t.service === s)), s).toBe(true);
    expect(d.some((x) => x.yeelight?.lanControl)).toBe(true);
    expect(d.some((x) => x.lumiGateway)).toBe(true);
    expect(d.some((x) => x.router)).toBe(true);
    expect(d.some((x) => x.mdns?.some((m) => m.type === '_aqara._tcp' && m.txt?.['md'] && m.txt['fw']))).toBe(true);
  });

  it('lab covers the required behaviours', () => {
    const d = loadProfiles('lab').devices;
    expect(d.some((x) => x.miio?.ignoreBroadcast)).toBe(true);
    expect(d.some((x) => x.miio?.replyDelayMs === 250)).toBe(true);
    expect(d.some((x) => x.miio?.helloReply === 'garbage')).toBe(true);
    expect(d.some((x) => x.mdns?.some((m) => m.malformedTxt))).toBe(true);
    expect(d.some((x) => !x.miio)).toBe(true);
    expect(d.some((x) => x.yeelight)).toBe(true);
    expect(d.some((x) => x.lumiGateway)).toBe(true);
    expect(d.some((x) => x.miio && !x.mdns)).toBe(true);
  });

  it('unknown names fail with SIM_ERR_PROFILE_NOT_FOUND', () => {
    expect(() => loadProfiles('no-such-set')).toThrow(expect.objectContaining({ code: 'SIM_ERR_PROFILE_NOT_FOUND' }));
  });
});

describe('addresses and safety', () => {
  const set: ProfileSet = { devices: [{ ...base(), name: 'a' }, { ...base(), name: 'b', address: '127.0.0.10' }, { ...base(), name: 'c' }] };

  it('allocates 127.0.0.x from 10, skipping explicit addresses, stable under --only', () => {
    const m = assignLoopbackAddresses(set);
    expect([...m.values()]).toEqual(['127.0.0.11', '127.0.0.10', '127.0.0.12']);
    expect(planPlacements(set, { only: ['c'] }).map((p) => p.address)).toEqual(['127.0.0.12']);
  });

  it('refuses a non-loopback address without --interface (SIM_ERR_UNSAFE)', () => {
    let err: unknown;
    try {
      planPlacements(set, { only: ['a'], address: '192.0.2.50' });
    } catch (e) {
      err = e;
    }
    expect(isSimError(err) && err.code).toBe('SIM_ERR_UNSAFE');
    expect(() => planPlacements({ devices: [{ ...base(), address: '10.0.0.5' }] }, {})).toThrow(expect.objectContaining({ code: 'SIM_ERR_UNSAFE' }));
  });

  it('--address needs exactly one device; unknown --only names are errors', () => {
    expect(() => planPlacements(set, { address: '127.0.0.50' })).toThrow(expect.objectContaining({ code: 'SIM_ERR_ARGS' }));
    expect(() => planPlacements(set, { only: ['zz'] })).toThrow(expect.objectContaining({ code: 'SIM_ERR_UNKNOWN_DEVICE' }));
    expect(() => planPlacements(set, { only: ['a'], address: '127.0.0.9', interface: 'no-such-if0' })).toThrow(expect.objectContaining({ code: 'SIM_ERR_INTERFACE' }));
  });

  it('names instances like real firmware', () => {
    expect(miioInstanceName('zhimi.airpurifier.m1', 54417276)).toBe('zhimi-airpurifier-m1_miio54417276');
  });
});

/**
 * Acceptance tests of the built `xmsim` binary (packages/simulator): spawned exactly as a user runs
 * it, read with an independent client (node-miio's device API) and with bonjour-service, then
 * stopped with SIGTERM.
 *
 * Safety: the simulator multicasts (mDNS, Yeelight, Lumi) on lo. These tests therefore run only in
 * a network namespace that has nothing but lo (`pnpm test` re-runs itself under `unshare -n` as
 * root). Anywhere else they FAIL with an explanation rather than multicast in the machine's own
 * namespace. The only skip: not root and no multicast route at all (cannot isolate, cannot multicast).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const require = createRequire(import.meta.url);

interface ManifestDevice {
  name: string; address: string; port: number | null; did: number; model: string; fw_ver: string; hw_ver: string; mac: string;
  token: string; leaksToken: boolean; answersInfo: boolean; mdnsName: string | null; mdnsServices: { type: string; name: string; malformedTxt: boolean }[];
  tcpPorts: number[]; yeelight: boolean; lumiGateway: boolean; router: boolean;
}
interface Manifest { generatedAt: string; devices: ManifestDevice[] }

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const onlyLoopback = Object.values(networkInterfaces()).flat().every((i) => i?.internal === true);

function hasMulticastRoute(): boolean {
  try {
    // /proc/net/route: Destination/Mask in little-endian hex; 224.0.0.0/4 = 000000E0/000000F0, default = 00000000.
    const rows = readFileSync('/proc/net/route', 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    return rows.some((r) => r[1] === '00000000' || (r[1] === '000000E0' && r[7] === '000000F0'));
  } catch {
    return false;
  }
}

const canIsolate = isRoot || hasMulticastRoute();

function assertIsolated(): void {
  if (!onlyLoopback) {
    throw new Error('refusing to run: this network namespace has non-loopback interfaces and xmsim multicasts; run `pnpm test` (as root it uses unshare -n) or wrap vitest in `unshare -n sh -c "ip link set lo up; ip link set lo multicast on; ip route add 224.0.0.0/4 dev lo; ..."`');
  }
}

let child: ChildProcess | null = null;
let exitCode: Promise<number | null>;
let manifest: Manifest;
let dir: string;
let stdout = '';
let stderr = '';

function byName(name: string): ManifestDevice {
  const d = manifest.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no device ${name} in manifest`);
  return d;
}

describe.skipIf(!canIsolate)('xmsim binary (demo profile)', () => {
  beforeAll(async () => {
    assertIsolated();
    if (process.env.XMSCAN_TESTS_BUILT !== '1' || !existsSync(join(ROOT, 'packages/simulator/dist/cli.js'))) {
      execFileSync('pnpm', ['build'], { cwd: ROOT, stdio: 'pipe', timeout: 170_000 });
    }
    dir = mkdtempSync(join(tmpdir(), 'xmsim-accept-'));
    const c = spawn('pnpm', ['exec', 'xmsim', '--profiles', 'demo', '--manifest', join(dir, 'm.json'), '--log', join(dir, 'log.jsonl')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    exitCode = new Promise((res) => c.on('exit', (code) => res(code)));
    c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`xmsim not ready after 20 s; stderr:\n${stderr}`)), 20_000);
      c.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/^xmsim ready \d+ device\(s\)\n/m.test(stdout)) {
          clearTimeout(timer);
          res();
        }
      });
      c.on('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`xmsim exited (${code}) before ready; stderr:\n${stderr}`));
      });
    });
    manifest = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as Manifest;
  }, 200_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exitCode;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints exactly one ready line and writes the manifest first', () => {
    expect(stdout).toBe(`xmsim ready ${manifest.devices.length} device(s)\n`);
    expect(manifest.devices.length).toBeGreaterThanOrEqual(10);
    expect(Date.parse(manifest.generatedAt)).not.toBeNaN();
    for (const d of manifest.devices) expect(d.address).toMatch(/^127\.0\.0\.\d+$/);
  });

  it('node-miio reads miIO.info with a manifest token: model and fw_ver match the profile', async () => {
    // node-miio's device API: unicast handshake + miIO.info to one address (never browse()/devices()).
    const miio = require('node-miio') as { device(o: { address: string; token: string }): Promise<{ call(m: string, p?: unknown[]): Promise<Record<string, unknown>>; destroy(): void }> };
    const profile = JSON.parse(readFileSync(join(ROOT, 'packages/simulator/profiles/demo.json'), 'utf8')) as { devices: { name: string; model: string; fw_ver: string }[] };
    for (const name of ['plug', 'purifier', 'camera']) {
      const m = byName(name);
      const p = profile.devices.find((x) => x.name === name)!;
      const device = await miio.device({ address: m.address, token: m.token });
      try {
        const info = await device.call('miIO.info', []);
        expect(info['model']).toBe(p.model);
        expect(info['fw_ver']).toBe(p.fw_ver);
        expect(info['mac']).toBe(m.mac.toUpperCase());
      } finally {
        device.destroy();
      }
    }
  });

  it('bonjour-service browsing _miio._udp finds each device at its own 127.0.0.x, but not the malformed-TXT one', async () => {
    const simRequire = createRequire(join(ROOT, 'packages/simulator/package.json'));
    const Bonjour = simRequire('bonjour-service') as new (o: object) => {
      find(o: object, up: (s: { name: string; addresses?: string[]; port: number; txt?: Record<string, string> }) => void): { stop(): void };
      destroy(cb?: () => void): void;
    };
    const b = new Bonjour({ interface: '127.0.0.1', bind: '0.0.0.0' });
    const seen = new Map<string, { addresses: string[]; port: number; txt: Record<string, string> }>();
    b.find({ type: 'miio', protocol: 'udp' }, (s) => seen.set(s.name, { addresses: s.addresses ?? [], port: s.port, txt: s.txt ?? {} }));
    const aqara = new Map<string, Record<string, string>>();
    b.find({ type: 'aqara' }, (s) => aqara.set(s.name, s.txt ?? {}));
    await new Promise((r) => setTimeout(r, 2500));
    await new Promise<void>((r) => b.destroy(() => r()));
    const expected = manifest.devices.filter((d) => d.mdnsServices.some((s) => s.type === '_miio._udp' && !s.malformedTxt));
    expect(expected.length).toBeGreaterThanOrEqual(5);
    for (const d of expected) {
      const s = seen.get(d.mdnsName!);
      expect(s, `${d.name} (${d.mdnsName}) not browsed; saw ${[...seen.keys()].join(', ')}`).toBeDefined();
      expect(s!.addresses).toEqual([d.address]);
      expect(s!.port).toBe(54321);
      expect(s!.txt).toEqual({ epoch: '1', mac: d.mac.replace(/:/g, '').toLowerCase() });
    }
    // multicast-dns drops the whole reply carrying a TXT without its length byte (toolchain.md).
    const malformed = manifest.devices.find((d) => d.mdnsServices.some((s) => s.malformedTxt))!;
    expect(seen.has(malformed.mdnsName!)).toBe(false);
    const hub = byName('aqara-hub');
    expect(aqara.get(hub.mdnsServices.find((s) => s.type === '_aqara._tcp')!.name)).toMatchObject({ md: 'lumi.gateway.aqcn02', fw: expect.any(String) });
  });

  it('the malformed-TXT device answers a PTR query with `epoch=0:mac=<hex>` and no TXT length byte', async () => {
    const malformed = manifest.devices.find((d) => d.mdnsServices.some((s) => s.malformedTxt))!;
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((r) => s.bind(5353, '224.0.0.251', r));
    s.addMembership('224.0.0.251', '127.0.0.1');
    s.setMulticastInterface('127.0.0.1');
    const got: Buffer[] = [];
    s.on('message', (msg, rinfo) => {
      if (rinfo.address === malformed.address) got.push(msg);
    });
    const q = Buffer.concat([Buffer.from('000000000001000000000000', 'hex'), Buffer.from('\x05_miio\x04_udp\x05local\x00', 'latin1'), Buffer.from('000c0001', 'hex')]);
    s.send(q, 5353, '224.0.0.251');
    await new Promise((r) => setTimeout(r, 600));
    s.close();
    const needle = Buffer.from(`epoch=0:mac=${malformed.mac.replace(/:/g, '').toLowerCase()}`, 'latin1');
    const hit = got.find((m) => m.includes(needle));
    expect(hit, `no reply from ${malformed.address}`).toBeDefined();
    expect(hit!.readUInt16BE(hit!.indexOf(needle) - 2)).toBe(needle.length);
  });

  it('Yeelight M-SEARCH and Lumi whois are answered unicast from the device address', async () => {
    const s = createSocket({ type: 'udp4' });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    s.setMulticastInterface('127.0.0.1');
    const replies: { from: string; text: string }[] = [];
    s.on('message', (msg, rinfo) => replies.push({ from: rinfo.address, text: msg.toString() }));
    s.send('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1982\r\nMAN: "ssdp:discover"\r\nST: wifi_bulb\r\n', 1982, '239.255.255.250');
    s.send('{"cmd":"whois"}', 4321, '224.0.0.50');
    await new Promise((r) => setTimeout(r, 600));
    s.close();
    const bulb = byName('bulb');
    const yl = replies.find((r) => r.from === bulb.address);
    expect(yl?.text).toContain(`Location: yeelight://${bulb.address}:55443`);
    expect(yl?.text).toContain(`id: 0x${bulb.did.toString(16).padStart(16, '0')}`);
    const gw = byName('gateway');
    const iam = replies.find((r) => r.from === gw.address);
    expect(JSON.parse(iam!.text)).toMatchObject({ cmd: 'iam', port: '9898', sid: gw.mac.replace(/:/g, '').toLowerCase() });
  });

  it('logged every request, read-only, without tokens', () => {
    const text = readFileSync(join(dir, 'log.jsonl'), 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { device: string; proto: string; kind: string; readOnly: boolean });
    expect(lines.some((l) => l.device === 'plug' && l.proto === 'miio' && l.kind === 'miIO.info' && l.readOnly)).toBe(true);
    expect(lines.some((l) => l.device === 'bulb' && l.proto === 'yeelight' && l.kind === 'M-SEARCH')).toBe(true);
    expect(lines.some((l) => l.proto === 'mdns' && l.kind === 'query')).toBe(true);
    expect(lines.every((l) => l.readOnly)).toBe(true);
    for (const d of manifest.devices) expect(text).not.toContain(d.token);
  });

  it('stops cleanly on SIGTERM with exit code 0', async () => {
    // `pnpm exec` mirrors its child's exit code; signal the xmsim process itself, as a supervisor would.
    const pid = child!.pid!;
    let target = pid;
    try {
      const kids = readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/)).filter(Boolean);
      if (kids[0]) target = Number(kids[0]);
    } catch {
      // no /proc: signal pnpm itself
    }
    process.kill(target, 'SIGTERM');
    expect(await exitCode).toBe(0);
    // Every socket is gone: the plug's address is free again.
    const s = createSocket('udp4');
    await new Promise<void>((res, rej) => {
      s.once('error', rej);
      s.bind(54321, byName('plug').address, () => res());
    });
    s.close();
  });
});

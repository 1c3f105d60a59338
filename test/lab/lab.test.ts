// Acceptance test of the LAN lab (issue 2 §4-§5): real broadcast, ARP and multicast across network namespaces.
// Root only: it creates namespaces, a bridge and veth pairs. Nothing here reaches the machine's real network.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LAB_BROADCAST,
  SCANNER_ADDRESS,
  cleanupStaleLabs,
  labUnavailableReason,
  readProfileDevices,
  resolveProfilesPath,
  run,
  simulatorEntry,
  startLab,
  type Lab,
  type LabManifestDevice,
} from './lab.mjs';

const PROFILES = process.env.XMSCAN_LAB_PROFILES ?? 'lab';
const here = fileURLToPath(new URL('.', import.meta.url));
const probe = (name: string) => join(here, 'probes', name);

function skipReason(): string | null {
  const why = labUnavailableReason();
  if (why) return why;
  if (!existsSync(simulatorEntry())) return `simulator not built (${simulatorEntry()}): run pnpm build`;
  if (!existsSync(resolveProfilesPath(PROFILES))) return `profile set ${PROFILES} not found`;
  return null;
}
const why = skipReason();

interface Datagram {
  from: string;
  port: number;
  hex: string;
}
function parseDatagrams(stdout: string): Datagram[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Datagram);
}

async function namespaces(): Promise<Set<string>> {
  const r = await run('ip', ['netns', 'list']);
  return new Set(r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean));
}

/** Gone = no /proc entry, or a zombie not yet reaped. */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}
async function waitGone(pids: number[], ms = 2_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && pids.some((p) => !processGone(p))) await new Promise((r) => setTimeout(r, 50));
  return pids.filter((p) => !processGone(p));
}

// --- a tolerant DNS walker: enough to find TXT rdata by record boundaries (rdlength), never decoding TXT strings.
interface RawRecord {
  type: number;
  rdata: Buffer;
}
function skipName(buf: Buffer, off: number): number {
  for (let guard = 0; guard < 128; guard++) {
    const len = buf[off];
    if (len === undefined) throw new Error('name runs past the end');
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2; // compression pointer ends the name here
    off += 1 + len;
  }
  throw new Error('name too long');
}
function walkRecords(buf: Buffer): RawRecord[] {
  if (buf.length < 12) return [];
  const qd = buf.readUInt16BE(4);
  const rr = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  let off = 12;
  for (let i = 0; i < qd; i++) off = skipName(buf, off) + 4;
  const out: RawRecord[] = [];
  for (let i = 0; i < rr && off + 10 <= buf.length; i++) {
    off = skipName(buf, off);
    if (off + 10 > buf.length) break;
    const type = buf.readUInt16BE(off);
    const rdlen = buf.readUInt16BE(off + 8);
    off += 10;
    out.push({ type, rdata: buf.subarray(off, off + rdlen) });
    off += rdlen;
  }
  return out;
}

interface ProfileMdns {
  type?: string;
  malformedTxt?: boolean;
}
function malformedTxtDevices(): string[] {
  const set = JSON.parse(readFileSync(resolveProfilesPath(PROFILES), 'utf8')) as { devices: { name: string; mdns?: ProfileMdns[] }[] };
  return set.devices.filter((d) => (d.mdns ?? []).some((m) => m.malformedTxt === true)).map((d) => d.name);
}

describe.skipIf(why !== null)(`LAN lab acceptance${why ? ` (skipped: ${why})` : ''}`, () => {
  let lab: Lab;
  let devices: LabManifestDevice[];
  const helloResponders = new Set<string>();

  beforeAll(async () => {
    // The whole set (it holds the malformed-TXT device and both broadcast behaviours), at least 4 devices.
    const all = readProfileDevices(PROFILES);
    lab = await startLab({ devices: all.length, profiles: PROFILES });
    devices = lab.manifest.devices;
  }, 90_000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('builds one namespace per device plus the LAN one, each simulator running', async () => {
    expect(devices.length).toBeGreaterThanOrEqual(4);
    const present = await namespaces();
    for (const ns of lab.namespaces) expect(present.has(ns), ns).toBe(true);
    expect(lab.namespaces).toHaveLength(devices.length + 1);
    for (const pid of lab.pids) expect(processGone(pid), `pid ${pid}`).toBe(false);
    const addrs = await lab.exec('ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(addrs.stdout).toContain(`${SCANNER_ADDRESS}/24`);
    // No way out: no default route in the LAN namespace or any device namespace.
    expect((await lab.exec('ip', ['route', 'show', 'default'])).stdout.trim()).toBe('');
    for (const d of lab.devices) {
      expect((await lab.execIn(d.name, 'ip', ['route', 'show', 'default'])).stdout.trim(), d.name).toBe('');
      const link = await lab.execIn(d.name, 'ip', ['-o', 'link', 'show', 'dev', 'eth0']);
      if (d.mac) expect(link.stdout.toLowerCase()).toContain(d.mac.toLowerCase());
      expect(link.stdout).toContain('MULTICAST');
    }
  });

  it('one hello broadcast gets a reply from every device that answers broadcast, and none from the others', async () => {
    const r = await lab.exec(process.execPath, [probe('hello-broadcast.mjs'), SCANNER_ADDRESS, LAB_BROADCAST, '2500']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const replies = parseDatagrams(r.stdout);
    for (const d of replies) {
      expect(d.port).toBe(54321);
      helloResponders.add(d.from);
    }
    const expected = devices.filter((d) => d.answersBroadcast && d.port !== null).map((d) => d.address);
    const silent = devices.filter((d) => !d.answersBroadcast || d.port === null).map((d) => d.address);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect([...helloResponders].sort()).toEqual([...expected].sort());
    for (const a of silent) expect(helloResponders.has(a), a).toBe(false);
  });

  it('/proc/net/arp in the LAN namespace then lists the MAC of every device that replied', async () => {
    expect(helloResponders.size).toBeGreaterThan(0);
    const r = await lab.exec('cat', ['/proc/net/arp']);
    const table = new Map<string, string>();
    for (const line of r.stdout.split('\n').slice(1)) {
      const [ipAddr, , flags, mac] = line.trim().split(/\s+/);
      if (ipAddr && mac && flags !== '0x0') table.set(ipAddr, mac.toLowerCase());
    }
    for (const address of helloResponders) {
      const dev = devices.find((d) => d.address === address);
      expect(dev, address).toBeDefined();
      expect(table.get(address), `${dev?.name} ${address}`).toBe(dev?.mac.toLowerCase());
    }
  });

  it('an mDNS _miio._udp PTR query sees every advertised device, malformed TXT bytes included', async () => {
    const r = await lab.exec(process.execPath, [probe('mdns-query.mjs'), SCANNER_ADDRESS, '_miio._udp.local', '2500']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const packets = parseDatagrams(r.stdout).map((d) => ({ from: d.from, buf: Buffer.from(d.hex, 'hex') }));
    const advertised = devices.filter((d) => d.mdnsName);
    expect(advertised.length).toBeGreaterThanOrEqual(2);
    for (const d of advertised) {
      // The instance label appears uncompressed at least once in any packet that names it.
      const label = String(d.mdnsName).split('._miio._udp')[0] ?? '';
      const seen = packets.some((p) => p.from === d.address && p.buf.includes(Buffer.from(label)));
      expect(seen, `${d.name}: ${label} from ${d.address}`).toBe(true);
    }

    const malformed = malformedTxtDevices();
    expect(malformed.length, 'the profile set needs a malformed-TXT device').toBeGreaterThanOrEqual(1);
    for (const name of malformed) {
      const dev = devices.find((d) => d.name === name);
      expect(dev, name).toBeDefined();
      const fromDev = packets.filter((p) => p.from === dev?.address);
      expect(fromDev.length, `${name} replied`).toBeGreaterThan(0);
      const needle = Buffer.from('epoch=0:mac=');
      expect(fromDev.some((p) => p.buf.includes(needle)), `${name}: raw bytes contain epoch=0:mac=`).toBe(true);
      // The firmware quirk (protocols.md §4.1): the TXT string starts right at the rdata, no length byte before it.
      const txts = fromDev.flatMap((p) => walkRecords(p.buf)).filter((rec) => rec.type === 16);
      expect(txts.some((t) => t.rdata.subarray(0, needle.length).equals(needle)), `${name}: TXT rdata begins with epoch=0:mac=`).toBe(true);
    }
  });

  it('teardown kills every recorded process and deletes every namespace', async () => {
    const pids = [...lab.pids];
    const names = [...lab.namespaces];
    const t0 = Date.now();
    await lab.stop();
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await waitGone(pids)).toEqual([]);
    const present = await namespaces();
    expect(names.filter((n) => present.has(n))).toEqual([]);
    expect(existsSync(lab.dir)).toBe(false);
    await lab.stop(); // idempotent
  });

  it('cleans up after a crashed owner recorded in the state file', async () => {
    const first = readProfileDevices(PROFILES)[0]?.name ?? '';
    const crashed = await startLab({ devices: [first], profiles: PROFILES });
    // Pretend the process that started it died: a PID that cannot exist (above pid_max).
    const stateFile = join(crashed.dir, 'state.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { owner: unknown };
    state.owner = { pid: 2 ** 22 + 1, startTime: '1' };
    writeFileSync(stateFile, JSON.stringify(state));
    const ids = await cleanupStaleLabs();
    expect(ids).toContain(crashed.id);
    expect(await waitGone(crashed.pids)).toEqual([]);
    const present = await namespaces();
    expect(crashed.namespaces.filter((n) => present.has(n))).toEqual([]);
  }, 60_000);
});

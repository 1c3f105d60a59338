/**
 * A tiny fake miIO device for tests: a real UDP socket on 127.0.0.1:0 speaking our codec
 * (style.md §7.8). Loopback only. Behaviours cover the protocols.md §1.10 wrong-token cases,
 * token leaks in the hello reply (§2.2), slow / silent devices, stale ids and junk.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import {
  MiioCodecError,
  Token,
  decodePacket,
  decodePayload,
  encodeHelloReply,
  encodePacket,
  encodePayload,
  isHelloRequest,
} from '@xmscan/miio-probe/codec';

export type FakeReply =
  | { result: unknown }
  | { error: { code: number; message: string } }
  /** Send this exact plaintext (for quirky / empty payloads). */
  | { plaintext: Uint8Array }
  | 'silent';

export interface FakeMiioDeviceOptions {
  token: Token;
  deviceId?: number;
  /** Device uptime (s) when started; the header stamp counts up from it (§1.8). */
  stamp?: number;
  /** Hello reply field: hidden as ff (default) / 00, or leak the real token (§2.2). */
  helloField?: 'ff' | '00' | 'leak';
  /** What to do with a request whose checksum does not verify (§1.10). */
  wrongToken?: 'silence' | 'ff-header';
  /** Delay before every answer, ms. */
  delayMs?: number;
  /** Answer nothing at all (hello included). */
  silent?: boolean;
  /** Never answer miIO.info (Gen-1 Roborock without cloud, §1.10). */
  neverAnswerInfo?: boolean;
  /** Send this many junk datagrams before each real answer. */
  junkBeforeReply?: number;
  /** Before each real answer, send a valid reply carrying a different id. */
  staleBeforeReply?: boolean;
  /** Send the hello reply twice (§1.1: replies are often duplicated). */
  duplicateHello?: boolean;
  /** Sign replies with this token instead (the client then sees a checksum failure, §1.6). */
  replyToken?: Token;
  /** miIO.info result (default: the cuco.plug.v3 capture shape with this device's token). */
  info?: Record<string, unknown>;
  /** Per-method answers; `miIO.info` defaults to `info`, unknown methods get -10000 (§1.7). */
  methods?: Record<string, (params: unknown, id: number) => FakeReply>;
}

export interface FakeRequestLog {
  method: string;
  id: number;
  stamp: number;
  checksumOk: boolean;
}

export interface FakeMiioDevice {
  address: '127.0.0.1';
  port: number;
  deviceId: number;
  requests: FakeRequestLog[];
  hellos: number;
  close(): Promise<void>;
}

/** Junk a hostile or broken peer might send: short, bad magic, bad length, a hello request, random. */
const JUNK: Buffer[] = [
  Buffer.alloc(0),
  Buffer.from('2131', 'hex'),
  Buffer.from('deadbeef'.repeat(8), 'hex'),
  Buffer.concat([Buffer.from('21310040', 'hex'), Buffer.alloc(28)]),
  Buffer.from('21310020' + 'ff'.repeat(28), 'hex'),
  Buffer.from('<html>not miio</html>'),
];

export function defaultInfo(token: Token): Record<string, unknown> {
  return {
    life: 4098901,
    model: 'cuco.plug.v3',
    token: token.revealHex(),
    ipflag: 1,
    fw_ver: '1.0.7',
    mcu_fw_ver: '0018',
    miio_ver: '0.1.0',
    hw_ver: 'ESP32C3',
    mmfree: 42336,
    workmode: 2,
    mac: '68:AB:BC:E6:21:5E',
    wifi_fw_ver: 'WifiVer.N/A',
    ap: { ssid: 'Test_Home', bssid: 'C8:BF:4C:3A:62:3B', rssi: -53, primary: 1 },
    netif: { localIp: '127.0.0.1', mask: '255.0.0.0', gw: '127.0.0.1' },
    uid: 1244457931,
    config_type: 'miwifi',
  };
}

export async function startFakeMiioDevice(opts: FakeMiioDeviceOptions): Promise<FakeMiioDevice> {
  const socket = createSocket('udp4');
  const deviceId = opts.deviceId ?? 0x2246b494;
  const bootedAt = Date.now() - (opts.stamp ?? 1000) * 1000;
  const stamp = () => Math.floor((Date.now() - bootedAt) / 1000);
  const requests: FakeRequestLog[] = [];
  const info = opts.info ?? defaultInfo(opts.token);
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const state = { hellos: 0 };

  const send = (buf: Buffer, to: RemoteInfo) => {
    if (!closed) socket.send(buf, to.port, to.address);
  };
  const later = (fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, opts.delayMs ?? 0);
    timers.add(t);
  };
  const helloReply = () =>
    encodeHelloReply({
      deviceId,
      stamp: stamp(),
      tokenField: opts.helloField === 'leak' ? opts.token.bytes() : (opts.helloField ?? 'ff'),
    });
  const packet = (plaintext: Uint8Array) => encodePacket(opts.replyToken ?? opts.token, { deviceId, stamp: stamp(), payload: plaintext });
  const junkAndStale = (to: RemoteInfo, id: number) => {
    for (let i = 0; i < (opts.junkBeforeReply ?? 0); i++) send(JUNK[i % JUNK.length]!, to);
    if (opts.staleBeforeReply) send(packet(encodePayload({ id: id === 1 ? 2 : id - 1, result: ['stale'] })), to);
  };

  socket.on('message', (msg, from) => {
    if (isHelloRequest(msg)) {
      state.hellos++;
      if (opts.silent) return;
      later(() => {
        junkAndStale(from, 0);
        send(helloReply(), from);
        if (opts.duplicateHello) send(helloReply(), from);
      });
      return;
    }
    if (opts.silent) return;
    let payload: Buffer | null;
    try {
      payload = decodePacket(opts.token, msg).payload;
    } catch (err) {
      if (err instanceof MiioCodecError && err.code === 'MIIO_ERR_CHECKSUM') {
        requests.push({ method: '?', id: -1, stamp: msg.length >= 16 ? msg.readUInt32BE(12) : -1, checksumOk: false });
        // §1.10: either silence or a bare header with ff×16 (chuangmi IR remote, python-miio #175).
        if (opts.wrongToken === 'ff-header') later(() => send(encodeHelloReply({ deviceId, stamp: stamp(), tokenField: 'ff' }), from));
      }
      return; // junk sent to the device is ignored, as firmware does
    }
    if (payload === null) return;
    let req: { id?: unknown; method?: unknown; params?: unknown };
    try {
      req = decodePayload(payload).value as typeof req;
    } catch {
      return;
    }
    const id = typeof req.id === 'number' ? req.id : -1;
    const method = typeof req.method === 'string' ? req.method : '?';
    requests.push({ method, id, stamp: msg.readUInt32BE(12), checksumOk: true });
    let reply: FakeReply;
    const handler = opts.methods?.[method];
    if (handler) reply = handler(req.params, id);
    else if (method === 'miIO.info') reply = opts.neverAnswerInfo ? 'silent' : { result: info };
    else reply = { error: { code: -10000, message: 'method not supported' } };
    if (reply === 'silent') return;
    const r = reply;
    later(() => {
      junkAndStale(from, id);
      if ('plaintext' in r) send(packet(r.plaintext), from);
      // Device replies are compact JSON without NUL, with exe_time (cuco capture, §1.11).
      else send(packet(encodePayload({ id, ...r, exe_time: 10 }, { trailingNul: false })), from);
    });
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => {
    // A fake must not crash the test run on an ICMP-induced error.
  });

  return {
    address: '127.0.0.1',
    port: socket.address().port,
    deviceId,
    requests,
    get hellos() {
      return state.hellos;
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

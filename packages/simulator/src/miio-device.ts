import { createHash } from 'node:crypto';
import {
  Token,
  decodeHeader,
  decodePacket,
  decodePayload,
  encodeHelloReply,
  encodePacket,
  encodePayload,
  isHelloRequest,
} from '@xmscan/miio-probe/codec';
import type { DeviceProfile, MiioProfile } from './profile.js';

/** What one received datagram turns into: an optional reply and one request-log entry. */
export interface MiioOutcome {
  reply: Buffer | null;
  delayMs: number;
  kind: string;
  readOnly: boolean;
  detail: Record<string, unknown>;
}

/** Methods that read state. Everything else is logged `readOnly: false` (protocols.md §9). */
export function isReadOnlyMiioMethod(method: string): boolean {
  return method === 'miIO.info' || method === 'miIO.wifi_assoc_state' || /^get_/.test(method);
}

/** Seconds a request id stays "seen" for a Roborock-style device (§1.9: "in a specific time-frame"). */
const REPEATED_ID_WINDOW_S = 60;
/** Uptime assumed for "unix"-stamp devices, which booted before NTP gave them a clock (§1.8). */
const UNIX_DEVICE_UPTIME_S = 86_400;
/** Bytes kept of a truncated hello reply: header cut inside the did/stamp, as a lossy link would. */
const TRUNCATED_HELLO_LENGTH = 20;

/**
 * The miIO side of one simulated device: hello, encrypted requests, wrong tokens, quirks.
 * Pure apart from the injected clock (milliseconds), so tests drive it without sockets.
 */
export class MiioResponder {
  readonly #p: DeviceProfile;
  readonly #m: Required<Pick<MiioProfile, 'leakToken' | 'hiddenAs' | 'answersInfo' | 'helloReply' | 'wrongTokenReply' | 'ignoreRepeatedId' | 'replyDelayMs'>> & MiioProfile;
  readonly #token: Token;
  readonly #address: string;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #seenIds = new Map<number, number>();

  constructor(profile: DeviceProfile, address = '127.0.0.1', now: () => number = Date.now) {
    if (!profile.miio) throw new TypeError(`device ${profile.name} speaks no miIO`);
    this.#p = profile;
    this.#m = {
      leakToken: false,
      hiddenAs: 'ff',
      answersInfo: true,
      helloReply: 'normal',
      wrongTokenReply: 'silence',
      ignoreRepeatedId: false,
      replyDelayMs: 0,
      ...profile.miio,
    };
    this.#token = Token.fromHex(profile.token);
    this.#address = address;
    this.#now = now;
    this.#startedAt = now();
  }

  /** Seconds since "boot": stampStart plus time since the simulator started. */
  uptime(): number {
    const base = typeof this.#m.stampStart === 'number' ? this.#m.stampStart : this.#m.stampStart === 'unix' ? UNIX_DEVICE_UPTIME_S : 1000;
    return base + Math.floor((this.#now() - this.#startedAt) / 1000);
  }

  /** The header stamp: uptime on MCU devices, Unix time on NTP-synced Linux ones (§1.8). */
  stamp(): number {
    return this.#m.stampStart === 'unix' ? Math.floor(this.#now() / 1000) : this.uptime();
  }

  helloReply(): Buffer {
    const normal = encodeHelloReply({
      deviceId: this.#p.did,
      stamp: this.stamp(),
      tokenField: this.#m.leakToken ? this.#token.bytes() : this.#m.hiddenAs,
    });
    if (this.#m.helloReply === 'truncated') return normal.subarray(0, TRUNCATED_HELLO_LENGTH);
    if (this.#m.helloReply === 'garbage') {
      // Deterministic junk of hello size that is not miIO (no 0x2131 magic): a broken responder.
      const junk = createHash('sha256').update(`garbage:${this.#p.did}`).digest().subarray(0, 32);
      junk[0] = 0x47;
      junk[1] = 0x42;
      return Buffer.from(junk);
    }
    return normal;
  }

  /** miIO.info result: profile facts, live life/netif, the token echoed as real devices do (§2.3, §3). */
  info(): Record<string, unknown> {
    const p = this.#p;
    const gw = this.#address.replace(/\.\d+$/, '.1');
    const base: Record<string, unknown> = {
      life: this.uptime(),
      model: p.model,
      token: this.#token.revealHex(),
      ipflag: 1,
      fw_ver: p.fw_ver,
      ...(p.mcu_fw_ver !== undefined ? { mcu_fw_ver: p.mcu_fw_ver } : {}),
      ...(p.miio_ver !== undefined ? { miio_ver: p.miio_ver } : {}),
      hw_ver: p.hw_ver,
      mmfree: 42336,
      mac: p.mac.toUpperCase(),
      ...(p.wifi_fw_ver !== undefined ? { wifi_fw_ver: p.wifi_fw_ver } : {}),
      ap: { ssid: 'xmsim-home', bssid: '8C:DE:F9:00:00:01', rssi: -53, primary: 6 },
      netif: { localIp: this.#address, mask: '255.255.255.0', gw },
      ot: 'otu',
      otu_stat: [320, 267, 3, 0, 3, 742],
      ott_stat: [0, 0, 0, 0],
      cfg_time: 0,
    };
    return { ...base, ...(this.#m.info ?? {}) };
  }

  /** Handle one datagram received on UDP 54321. Never throws: junk is logged and ignored. */
  handle(datagram: Buffer): MiioOutcome {
    const delayMs = this.#m.replyDelayMs;
    if (isHelloRequest(datagram)) {
      return { reply: this.helloReply(), delayMs, kind: 'hello', readOnly: true, detail: { length: datagram.length } };
    }
    let header;
    try {
      header = decodeHeader(datagram);
    } catch (err) {
      return { reply: null, delayMs: 0, kind: 'malformed', readOnly: true, detail: { length: datagram.length, error: codeOf(err) } };
    }
    if (header.length === 32) {
      // A 32-byte packet that is not the hello: nothing real devices answer.
      return { reply: null, delayMs: 0, kind: 'unknown-32', readOnly: true, detail: { length: 32 } };
    }
    let plaintext: Buffer | null;
    try {
      plaintext = decodePacket(this.#token, datagram).payload;
    } catch (err) {
      const code = codeOf(err);
      // Wrong token: silence or a bare ff header, model-dependent (§1.10).
      const reply = code === 'MIIO_ERR_CHECKSUM' && this.#m.wrongTokenReply === 'ff-header'
        ? encodeHelloReply({ deviceId: this.#p.did, stamp: this.stamp(), tokenField: 'ff' })
        : null;
      return { reply, delayMs, kind: code === 'MIIO_ERR_CHECKSUM' ? 'bad-token' : 'malformed', readOnly: true, detail: { length: datagram.length, error: code } };
    }
    let request: Record<string, unknown>;
    try {
      const v = decodePayload(plaintext ?? Buffer.alloc(0)).value;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      request = v as Record<string, unknown>;
    } catch (err) {
      return { reply: null, delayMs: 0, kind: 'malformed', readOnly: true, detail: { length: datagram.length, error: codeOf(err) } };
    }
    const method = typeof request['method'] === 'string' ? request['method'] : '';
    const id = typeof request['id'] === 'number' && Number.isFinite(request['id']) ? request['id'] : null;
    const readOnly = isReadOnlyMiioMethod(method);
    const detail: Record<string, unknown> = { id, method, params: request['params'] ?? null, clientStamp: header.stamp };
    const kind = method || 'no-method';
    if (id === null || method === '') return { reply: null, delayMs: 0, kind, readOnly, detail };
    if (this.#m.ignoreRepeatedId && this.#isRepeated(id)) {
      // Roborock log: "look like a repeated msg" and no answer (§1.9).
      return { reply: null, delayMs: 0, kind, readOnly, detail: { ...detail, ignored: 'repeated-id' } };
    }
    if (method === 'miIO.info' && !this.#m.answersInfo) {
      return { reply: null, delayMs: 0, kind, readOnly, detail: { ...detail, ignored: 'no-info' } };
    }
    const body = this.#answer(id, method, request['params']);
    const reply = encodePacket(this.#token, { deviceId: this.#p.did, stamp: this.stamp(), payload: encodePayload(body, { trailingNul: false }) });
    return { reply, delayMs, kind, readOnly, detail };
  }

  #isRepeated(id: number): boolean {
    const now = Math.floor(this.#now() / 1000);
    for (const [k, t] of this.#seenIds) if (now - t > REPEATED_ID_WINDOW_S) this.#seenIds.delete(k);
    if (this.#seenIds.has(id)) return true;
    this.#seenIds.set(id, now);
    return false;
  }

  #answer(id: number, method: string, params: unknown): Record<string, unknown> {
    const props = this.#m.props ?? {};
    let result: unknown;
    switch (method) {
      case 'miIO.info':
        result = this.info();
        break;
      case 'miIO.wifi_assoc_state':
        result = { state: 'ONLINE', auth_fail_count: 0, conn_success_count: 1, conn_fail_count: 0, dhcp_fail_count: 0 };
        break;
      case 'get_prop':
        result = Array.isArray(params) ? params.map((n) => (typeof n === 'string' && n in props ? props[n] : null)) : [];
        break;
      case 'get_properties':
        result = Array.isArray(params)
          ? params.map((q) => {
              const o = typeof q === 'object' && q !== null ? (q as Record<string, unknown>) : {};
              const key = `${String(o['siid'])}.${String(o['piid'])}`;
              return key in props ? { ...o, code: 0, value: props[key] } : { ...o, code: -4004 };
            })
          : [];
        break;
      default:
        // Unknown or state-changing method: refused, nothing changes (the simulator is read-only too).
        return { id, error: { code: -10000, message: 'method not found' } };
    }
    if (this.#m.envelope === 'roborock') return { partner_id: '', id, code: 0, message: 'ok', result };
    return { id, result, exe_time: 10 };
  }
}

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : 'MIIO_ERR_PAYLOAD';
}

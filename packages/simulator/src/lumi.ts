import { createHash } from 'node:crypto';
import { type DeviceProfile, type LumiGatewayProfile, compactMac } from './profile.js';

/** Aqara / Lumi gateway LAN protocol v1 (protocols.md §5.3), pure. */

export const LUMI_GROUP = '224.0.0.50';
export const LUMI_DISCOVERY_PORT = 4321;
export const LUMI_PORT = 9898;

export interface LumiOutcome {
  reply: Buffer | null;
  kind: string;
  readOnly: boolean;
  detail: Record<string, unknown>;
}

function sidOf(p: DeviceProfile, g: LumiGatewayProfile): string {
  // The gateway sid is its MAC without colons (§5.3).
  return g.sid ?? compactMac(p.mac);
}

function json(v: unknown): Buffer {
  return Buffer.from(JSON.stringify(v), 'utf8');
}

/** `iam`: the port is a string, as real gateways send it (§5.3). */
export function buildIam(p: DeviceProfile, g: LumiGatewayProfile, address: string): Buffer {
  return json({ cmd: 'iam', port: String(LUMI_PORT), sid: sidOf(p, g), model: g.model ?? 'gateway', proto_version: g.proto_version ?? '1.1.2', ip: address });
}

/** Seconds between gateway heartbeats (opencloud-docs: every 10 s, offline after 65 s, §5.3). */
export const LUMI_HEARTBEAT_INTERVAL_MS = 10_000;

/**
 * The 16-character gateway token carried in heartbeats (the input of the write key, §5.3). It is a
 * LAN-protocol value, not the miIO token; derived from the did so runs are reproducible.
 */
export function lumiHeartbeatToken(p: DeviceProfile): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const h = createHash('sha256').update(`lumi-heartbeat:${p.did}`).digest();
  return [...h.subarray(0, 16)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Multicast heartbeat to 224.0.0.50:9898 (§5.3); `data` is a JSON string, as on real gateways. */
export function buildHeartbeat(p: DeviceProfile, g: LumiGatewayProfile, address: string): Buffer {
  return json({ cmd: 'heartbeat', model: g.model ?? 'gateway', sid: sidOf(p, g), short_id: '0', token: lumiHeartbeatToken(p), data: JSON.stringify({ ip: address }) });
}

function parse(datagram: Buffer): Record<string, unknown> | null {
  try {
    const v = JSON.parse(datagram.toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A datagram to 224.0.0.50:4321. A real gateway answers `iam` even to an empty request (§5.3). */
export function handleDiscovery(p: DeviceProfile, g: LumiGatewayProfile, address: string, datagram: Buffer): LumiOutcome {
  const msg = parse(datagram);
  const cmd = msg && typeof msg['cmd'] === 'string' ? msg['cmd'] : null;
  if (cmd === 'whois' || datagram.length === 0 || (msg !== null && cmd === null)) {
    return { reply: buildIam(p, g, address), kind: 'whois', readOnly: true, detail: {} };
  }
  return { reply: null, kind: cmd ?? 'malformed', readOnly: cmd === null || cmd === 'iam' || cmd === 'heartbeat', detail: { length: datagram.length } };
}

/** A datagram to UDP 9898: `read`, `get_id_list`, `discovery` answered; `write` refused. */
export function handleUnicast(p: DeviceProfile, g: LumiGatewayProfile, address: string, datagram: Buffer): LumiOutcome {
  const msg = parse(datagram);
  if (!msg) return { reply: null, kind: 'malformed', readOnly: true, detail: { length: datagram.length } };
  const cmd = typeof msg['cmd'] === 'string' ? msg['cmd'] : '';
  const sid = sidOf(p, g);
  const subs = g.subDevices ?? [];
  const model = g.model ?? 'gateway';
  switch (cmd) {
    case 'whois':
      return { reply: buildIam(p, g, address), kind: 'whois', readOnly: true, detail: {} };
    case 'get_id_list':
      return {
        reply: json({ cmd: 'get_id_list_ack', sid, token: 'XRwvMrwu16ZZWxPe', data: JSON.stringify(subs) }),
        kind: cmd, readOnly: true, detail: {},
      };
    case 'discovery':
      return {
        reply: json({ cmd: 'discovery_rsp', sid, token: 'XRwvMrwu16ZZWxPe', dev_list: subs.map((s) => ({ sid: s, model: 'sensor_ht' })) }),
        kind: cmd, readOnly: true, detail: {},
      };
    case 'read': {
      const target = typeof msg['sid'] === 'string' ? msg['sid'] : sid;
      if (target === sid) {
        const data = { rgb: 0, illumination: 495, proto_version: g.proto_version ?? '1.1.2' };
        return { reply: json({ cmd: 'read_ack', model, sid, short_id: 0, data: JSON.stringify(data) }), kind: cmd, readOnly: true, detail: { sid: target } };
      }
      if (subs.includes(target)) {
        return { reply: json({ cmd: 'read_ack', model: 'sensor_ht', sid: target, short_id: 12345, data: JSON.stringify({ voltage: 3005, temperature: '2150', humidity: '4520' }) }), kind: cmd, readOnly: true, detail: { sid: target } };
      }
      return { reply: json({ cmd: 'read_ack', sid: target, data: JSON.stringify({ error: 'No device' }) }), kind: cmd, readOnly: true, detail: { sid: target } };
    }
    case 'write':
      // Writing needs the LAN key; the simulator refuses every write and records the attempt.
      return { reply: json({ cmd: 'write_ack', sid, data: JSON.stringify({ error: 'Invalid key' }) }), kind: cmd, readOnly: false, detail: { sid: msg['sid'] ?? null } };
    default:
      return { reply: null, kind: cmd || 'no-cmd', readOnly: false, detail: {} };
  }
}

/**
 * Maps a port probe result (probes/ports.ts `PortResult`, described structurally here so the two
 * modules can evolve apart) onto the `PortObservation` checks read. Closed ports map to null.
 */
import type { PortDetails, PortObservation } from './types.js';

export interface ProbedPortLike {
  port: number;
  protocol: 'tcp' | 'udp';
  open: boolean;
  service: string | null;
  banner: string | null;
  /** `{ kind: 'ssh' | 'telnet' | 'http' | 'rtsp' | 'mqtt' | …, …fields }` as probes/ports.ts reports it. */
  details?: { readonly kind: string; readonly [field: string]: unknown } | null;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

export function toPortObservation(r: ProbedPortLike): PortObservation | null {
  if (!r.open) return null;
  const d = (r.details ?? null) as Readonly<Record<string, unknown>> | null;
  const details: PortDetails = {};
  const set = <K extends keyof PortDetails>(k: K, v: PortDetails[K] | undefined): void => {
    if (v !== undefined) details[k] = v;
  };
  switch (d?.['kind']) {
    case 'ssh': {
      const version = str(d['protocolVersion']);
      const software = str(d['software']);
      if (version !== undefined && software !== undefined) details.sshVersion = `SSH-${version}-${software}`;
      break;
    }
    case 'telnet':
      set('telnetLoginPrompt', bool(d['promptSeen']));
      break;
    case 'http':
      set('httpStatus', num(d['status']));
      set('httpServer', str(d['server']));
      set('httpTitle', str(d['title']));
      break;
    case 'rtsp': {
      // advisories.md §3.6: an SDP to a credential-less DESCRIBE = open stream; 401 = auth on.
      const describe = d['describe'] as Readonly<Record<string, unknown>> | undefined;
      if (describe !== undefined && describe !== null) {
        if (num(describe['status']) === 401) details.rtspAuth = true;
        else if (describe['sdp'] === true) details.rtspAuth = false;
      } else {
        set('rtspAuth', bool(d['authRequired']));
      }
      break;
    }
    case 'mqtt':
      set('mqttConnack', num(d['returnCode']));
      break;
    default:
      break;
  }
  const out: PortObservation = { port: r.port, protocol: r.protocol, service: r.service, banner: r.banner, open: true };
  if (Object.keys(details).length > 0) out.details = details;
  return out;
}

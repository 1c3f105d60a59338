/**
 * What kind of device a model id names. Xiaomi model ids are `vendor.type.version`
 * (protocols.md §3); the type part is enough to tell a vacuum from a camera.
 */
import type { DeviceAuditContext } from './types.js';

export type DeviceKind = 'vacuum' | 'router' | 'gateway' | 'camera' | 'speaker' | 'light' | 'other' | 'unknown';

/** Best model id for the device: `miIO.info` beats discovery (mDNS/hostname) which can be spoofed or stale. */
export function bestModel(ctx: DeviceAuditContext): string | null {
  const info = ctx.info;
  if (info !== undefined && info.ok && typeof info.value.model === 'string' && info.value.model !== '') return info.value.model;
  return ctx.device.model;
}

export function deviceKind(ctx: DeviceAuditContext): DeviceKind {
  if (ctx.ecosystem.routerInitInfo !== undefined) return 'router';
  const model = bestModel(ctx)?.toLowerCase() ?? null;
  if (model === null) {
    if (ctx.device.yeelight !== undefined) return 'light';
    if (ctx.device.lumi !== undefined) return 'gateway';
    return 'unknown';
  }
  const type = model.split('.')[1] ?? '';
  if (type === 'vacuum' || type === 'sweeper') return 'vacuum';
  if (type === 'router' || model.startsWith('xiaomi.router')) return 'router';
  if (type === 'gateway' || type === 'acpartner' || type === 'hub') return 'gateway';
  if (type === 'camera') return 'camera';
  if (type === 'wifispeaker' || type === 'speaker') return 'speaker';
  if (type === 'light' || type === 'ceiling' || type === 'bslamp' || model.startsWith('yeelink.')) return 'light';
  return 'other';
}

export function openPort(ctx: DeviceAuditContext, port: number, protocol: 'tcp' | 'udp' = 'tcp') {
  return ctx.ports.find((p) => p.port === port && p.protocol === protocol && p.open);
}

export function openTcpPorts(ctx: DeviceAuditContext): number[] {
  return ctx.ports.filter((p) => p.protocol === 'tcp' && p.open).map((p) => p.port);
}

/** Cap device-supplied text kept in evidence (writers sanitise; this only bounds size). */
export function snippet(text: string | null | undefined, max = 200): string | null {
  if (typeof text !== 'string') return null;
  return text.length > max ? text.slice(0, max) + '…' : text;
}

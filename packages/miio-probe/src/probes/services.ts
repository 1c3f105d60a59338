/** Service names by well-known port and by banner. Pure data + functions. */

export type ServiceName =
  | 'ftp'
  | 'ssh'
  | 'telnet'
  | 'dns'
  | 'http'
  | 'https'
  | 'smux'
  | 'rtsp'
  | 'mqtt'
  | 'mqtt-tls'
  | 'player'
  | 'zigbee-bridge'
  | 'yeelight'
  | 'unknown';

/** How the port probe talks to a service: read first, send a harmless request, or only connect. */
export type GrabStrategy = 'passive' | 'telnet' | 'http' | 'rtsp' | 'mqtt' | 'connect-only';

export const SERVICE_BY_PORT: Readonly<Record<number, ServiceName>> = {
  21: 'ftp',
  22: 'ssh',
  23: 'telnet',
  53: 'dns',
  80: 'http',
  199: 'smux',
  443: 'https',
  554: 'rtsp',
  1883: 'mqtt',
  2222: 'ssh',
  2323: 'telnet',
  6665: 'player',
  8000: 'http',
  8080: 'http',
  8081: 'http',
  8098: 'http',
  8443: 'https',
  8554: 'rtsp',
  8883: 'mqtt-tls',
  8888: 'zigbee-bridge',
  55443: 'yeelight',
};

export function serviceForPort(port: number): ServiceName {
  return SERVICE_BY_PORT[port] ?? 'unknown';
}

export function strategyFor(service: ServiceName): GrabStrategy {
  switch (service) {
    case 'telnet':
      return 'telnet';
    case 'http':
      return 'http';
    case 'rtsp':
      return 'rtsp';
    case 'mqtt':
      return 'mqtt';
    // TLS services would need a handshake; Yeelight and DNS-over-TCP say nothing until asked, and the
    // Yeelight query lives in the ecosystem probe (probes/yeelight.ts).
    case 'https':
    case 'mqtt-tls':
    case 'yeelight':
    case 'dns':
      return 'connect-only';
    default:
      return 'passive';
  }
}

/** Service from the first bytes a peer sent, or null when they say nothing recognisable. */
export function serviceFromBanner(data: Uint8Array): ServiceName | null {
  if (data.length === 0) return null;
  const b = Buffer.from(data);
  const head = b.subarray(0, 64).toString('latin1');
  if (head.startsWith('SSH-')) return 'ssh';
  if (/^HTTP\/\d/.test(head)) return 'http';
  if (/^RTSP\/\d/.test(head)) return 'rtsp';
  if (b[0] === 0xff && b.length >= 2 && b[1]! >= 251 && b[1]! <= 254) return 'telnet';
  if (b[0] === 0x20 && b[1] === 0x02 && b.length >= 4) return 'mqtt';
  if (/^220[ -]/.test(head) && /ftp/i.test(b.subarray(0, 256).toString('latin1'))) return 'ftp';
  if (/login:\s*$/i.test(b.subarray(0, 512).toString('latin1'))) return 'telnet';
  return null;
}

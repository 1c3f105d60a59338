/**
 * The probe port of the scan: every network probe the audit uses, behind one injectable object so
 * orchestration can be tested with fakes (the real ones are miio-probe's adapters).
 */
import {
  createMiioClient,
  probeLumiGateway,
  probePorts,
  probeRouterInitInfo,
  probeValetudo,
  probeYeelight,
  readMiioInfo,
  type MiioClientOptions,
  type MiioHandshake,
  type MiioInfo,
  type LumiGatewayInfo,
  type PortProbeOptions,
  type PortResult,
  type ProbeResult,
  type RouterInitInfo,
  type Token,
  type ValetudoInfo,
  type YeelightInfo,
} from '@xmscan/miio-probe';

export interface MiioSessionResult {
  handshake: { ok: true; value: MiioHandshake } | { ok: false; error: { code: string; message: string } };
  info?: { ok: true; value: MiioInfo } | { ok: false; error: { code: string; message: string; helloAnswered?: boolean } };
}

export interface ScanProbes {
  /** Hello, then (with a token) one `miIO.info`. Never throws. */
  miio(options: { address: string; token?: Token | undefined; timeoutMs: number; retries: number; signal: AbortSignal }): Promise<MiioSessionResult>;
  ports(options: PortProbeOptions): Promise<PortResult[]>;
  yeelight(options: { ip: string; port?: number; signal: AbortSignal; timeoutMs: number }): Promise<ProbeResult<YeelightInfo>>;
  lumi(options: { ip: string; sid?: string; signal: AbortSignal; timeoutMs: number }): Promise<ProbeResult<LumiGatewayInfo>>;
  router(options: { ip: string; port?: number; signal: AbortSignal; timeoutMs: number }): Promise<ProbeResult<RouterInitInfo>>;
  valetudo(options: { ip: string; port?: number; signal: AbortSignal; timeoutMs: number }): Promise<ProbeResult<ValetudoInfo>>;
}

const errorInfo = (err: unknown) => {
  const e = err as { code?: unknown; message?: unknown; helloAnswered?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : 'SCAN_ERR_PROBE',
    message: typeof e.message === 'string' ? e.message : String(err),
    ...(e.helloAnswered === true ? { helloAnswered: true } : {}),
  };
};

async function miioSession(options: Parameters<ScanProbes['miio']>[0]): Promise<MiioSessionResult> {
  const clientOptions: MiioClientOptions = {
    address: options.address,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    signal: options.signal,
    ...(options.token ? { token: options.token } : {}),
  };
  const client = createMiioClient(clientOptions);
  try {
    let handshake: MiioSessionResult['handshake'];
    try {
      handshake = { ok: true, value: await client.handshake() };
    } catch (err) {
      return { handshake: { ok: false, error: errorInfo(err) } };
    }
    if (!options.token) return { handshake };
    try {
      return { handshake, info: { ok: true, value: await readMiioInfo(client) } };
    } catch (err) {
      return { handshake, info: { ok: false, error: { ...errorInfo(err), helloAnswered: true } } };
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}

export const realProbes: ScanProbes = {
  miio: miioSession,
  ports: (o) => probePorts(o),
  yeelight: (o) => probeYeelight({ ip: o.ip, ...(o.port ? { port: o.port } : {}), signal: o.signal, timeoutMs: o.timeoutMs }),
  lumi: (o) => probeLumiGateway({ ip: o.ip, ...(o.sid ? { sid: o.sid } : {}), signal: o.signal, timeoutMs: o.timeoutMs }),
  router: (o) => probeRouterInitInfo({ ip: o.ip, ...(o.port ? { port: o.port } : {}), signal: o.signal, timeoutMs: o.timeoutMs }),
  valetudo: (o) => probeValetudo({ ip: o.ip, ...(o.port ? { port: o.port } : {}), signal: o.signal, timeoutMs: o.timeoutMs }),
};

export * from './codec/index.js';
export * from './errors.js';
export {
  createMiioClient,
  retryRequestId,
  MIIO_PORT,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_RETRIES,
  HANDSHAKE_MAX_AGE_MS,
  type MiioClient,
  type MiioClientOptions,
  type MiioRequestOptions,
  type MiioHandshake,
  type MiioCallResult,
  type MiioClientStats,
} from './client.js';
export { readMiioInfo, parseMiioInfo, type MiioInfo, type MiioInfoAp, type MiioInfoNetif } from './info.js';
export {
  createUdpTransport,
  type UdpTransport,
  type UdpRemoteInfo,
  type UdpMessageListener,
  type UdpErrorListener,
  type DgramTransportOptions,
} from './transport/udp.js';
export * from './probes/index.js';
export * from './tokens/index.js';
export { createTcpConnector } from './transport/tcp.js';
export * from './checks/index.js';
export * from './advisories/index.js';
export { SecretText } from './secret.js';

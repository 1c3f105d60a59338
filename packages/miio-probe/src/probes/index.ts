/** Network probes: TCP ports and banners, and the read-only ecosystem probes (protocols.md §5). */
export { ProbeError, isProbeError, toProbeError, type ProbeErrorCode, type ProbeResult } from './errors.js';
export type * from './types.js';
export * from './port-profiles.js';
export * from './services.js';
export * from './read.js';
export * from './ssh.js';
export * from './telnet.js';
export * from './mqtt.js';
export * from './http-message.js';
export * from './http-get.js';
export * from './ports.js';
export * from './yeelight.js';
export * from './lumi.js';
export * from './router.js';
export * from './valetudo.js';

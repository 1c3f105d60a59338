/** Checks: static metadata + pure functions of a DeviceAuditContext (design.md "Checks"). */
export * from './types.js';
export * from './errors.js';
export * from './registry.js';
export * from './result.js';
export * from './run.js';
export * from './builtin.js';
export { advisorySubject, firmwareAdvisory, firmwareOlderThanKnown } from './firmware.js';
export { miioSetupMode, miioTokenExposed, miioTokenStale } from './token.js';
export { httpAdminOpen, mqttNoAuth, rtspOpen, sshOnStockDevice, telnetOpen, valetudoPresent } from './services.js';
export { cloudLink, lumiGatewayLanProtocol, routerInitInfoExposed, unknownXiaomiHost, yeelightLanControlOpen } from './ecosystem.js';
export { bestModel, deviceKind } from './device-kind.js';
export type { DeviceKind } from './device-kind.js';
export { toPortObservation } from './adapt.js';
export type { ProbedPortLike } from './adapt.js';

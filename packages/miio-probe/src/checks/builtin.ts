import { cloudLink, lumiGatewayLanProtocol, routerInitInfoExposed, unknownXiaomiHost, yeelightLanControlOpen } from './ecosystem.js';
import { firmwareAdvisory, firmwareOlderThanKnown } from './firmware.js';
import { createCheckRegistry } from './registry.js';
import { httpAdminOpen, mqttNoAuth, rtspOpen, sshOnStockDevice, telnetOpen, valetudoPresent } from './services.js';
import { miioSetupMode, miioTokenExposed, miioTokenStale } from './token.js';
import type { Check } from './types.js';

/** Every built-in check, in report order. Ids are permanent: rename never, retire by removing. */
export const builtinChecks: readonly Check[] = Object.freeze([
  miioTokenExposed,
  miioTokenStale,
  miioSetupMode,
  firmwareAdvisory,
  firmwareOlderThanKnown,
  telnetOpen,
  sshOnStockDevice,
  valetudoPresent,
  rtspOpen,
  mqttNoAuth,
  httpAdminOpen,
  yeelightLanControlOpen,
  lumiGatewayLanProtocol,
  routerInitInfoExposed,
  cloudLink,
  unknownXiaomiHost,
]);

/** Registry of the built-ins; building it also proves the ids are unique and the metadata valid. */
export const builtinRegistry = createCheckRegistry(builtinChecks);

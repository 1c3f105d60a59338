/**
 * @xmscan/simulator: simulated Mi Home devices (miIO, mDNS, Yeelight, Aqara/Lumi, router) for
 * testing xmscan. Contract: /tmp/xmscan-sim-contract.md.
 */
export { SimError, isSimError, type SimErrorCode } from './errors.js';
export {
  type DeviceProfile,
  type Profile,
  type ProfileSet,
  type MiioProfile,
  type MdnsAdvert,
  type TcpListenerProfile,
  type TcpService,
  type YeelightProfile,
  type LumiGatewayProfile,
  type RouterProfile,
  ProfileError,
  validateProfileSet,
  miioInstanceName,
  compactMac,
  assignLoopbackAddresses,
} from './profile.js';
export { loadProfiles, builtinProfileNames, BUILTIN_PROFILES_DIR } from './load-profiles.js';
export { type Manifest, type ManifestDevice } from './manifest.js';
export { type RequestRecord } from './request-log.js';
export { startSimulator, planPlacements, MIIO_PORT, type StartOptions, type RunningSimulator } from './simulator.js';
export { MiioResponder, isReadOnlyMiioMethod, type MiioOutcome } from './miio-device.js';
export { yeelightId } from './yeelight.js';
export { buildInitInfo, INIT_INFO_PATHS } from './router.js';
export { buildDeviceMdns, encodeMdnsResponse, decodeMdnsQuery, type DeviceMdns, type MdnsRecord } from './mdns-records.js';

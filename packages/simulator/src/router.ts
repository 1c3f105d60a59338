import type { DeviceProfile, RouterProfile } from './profile.js';

/** Xiaomi / Redmi router LuCI "xqsystem" API (protocols.md §5.4), pure. */

export const INIT_INFO_PATHS: readonly string[] = ['/cgi-bin/luci/api/xqsystem/init_info', '/api/xqsystem/init_info'];

/** The unauthenticated `init_info` JSON, key order as in the xmir-patcher sample (§5.4). */
export function buildInitInfo(p: DeviceProfile, r: RouterProfile): Record<string, unknown> {
  return {
    code: 0,
    isSupportMesh: 1,
    secAcc: 1,
    inited: 1,
    connect: 0,
    modules: { replacement_assistant: '1' },
    hardware: r.hardware,
    language: 'en',
    server: 'AP',
    romversion: r.romversion,
    countrycode: 'DE',
    id: r.serial,
    routername: `Xiaomi_${p.mac.replace(/:/g, '').slice(8, 12).toUpperCase()}`,
    displayName: 'Xiaomi router',
    maccel: '1',
    model: p.model,
    bound: 0,
    isRedmi: 0,
    newEncryptMode: 1,
    ...(r.extra ?? {}),
  };
}

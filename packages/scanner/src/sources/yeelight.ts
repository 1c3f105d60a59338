import { emptySighting } from '../discovery/sighting.js';
import type { DiscoverySource, SourceContext } from '../discovery/source.js';
import { runMulticastQuery } from './multicast-query.js';
import { YEELIGHT_GROUP, YEELIGHT_PORT, YEELIGHT_SEARCH, parseYeelightReply } from './yeelight-parse.js';

/** Query send points as window fractions (dry-run.ts lists them). */
export const YEELIGHT_RESEND_AT: readonly number[] = [0, 0.3];

/** Yeelight M-SEARCH to 239.255.255.250:1982, ST wifi_bulb (protocols.md §5.1). */
export function yeelightSource(): DiscoverySource {
  return {
    name: 'yeelight',
    run(ctx: SourceContext) {
      return runMulticastQuery(ctx, {
        source: 'yeelight',
        group: YEELIGHT_GROUP,
        port: YEELIGHT_PORT,
        payload: YEELIGHT_SEARCH,
        resendAt: YEELIGHT_RESEND_AT,
        onReply(msg, rinfo) {
          const r = parseYeelightReply(msg);
          if (r === null) {
            ctx.logger.warn({ from: `${rinfo.address}:${rinfo.port}`, bytes: msg.length, source: 'yeelight' }, 'junk datagram ignored');
            return;
          }
          const { deviceId, ...evidence } = r;
          const s = emptySighting('yeelight', ctx.clock.now());
          s.ip = rinfo.address;
          s.deviceId = deviceId;
          s.model = r.model;
          if (r.name) s.names.push(r.name);
          if (r.fwVer) s.firmware = { version: r.fwVer, from: 'Yeelight fw_ver' };
          s.yeelight = evidence;
          ctx.emit(s);
        },
      });
    },
  };
}

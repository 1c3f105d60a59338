import { emptySighting } from '../discovery/sighting.js';
import type { DiscoverySource, SourceContext } from '../discovery/source.js';
import { normalizeMac } from '../oui/mac.js';
import { runMulticastQuery } from './multicast-query.js';
import { LUMI_GROUP, LUMI_PORT, LUMI_WHOIS, parseLumiIam } from './lumi-parse.js';

/** Query send points as window fractions (dry-run.ts lists them). */
export const LUMI_RESEND_AT: readonly number[] = [0, 0.3];

/** Aqara/Lumi gateway `whois` to 224.0.0.50:4321, `iam` back (protocols.md §5.3). */
export function lumiSource(): DiscoverySource {
  return {
    name: 'lumi',
    run(ctx: SourceContext) {
      return runMulticastQuery(ctx, {
        source: 'lumi',
        group: LUMI_GROUP,
        port: LUMI_PORT,
        payload: LUMI_WHOIS,
        resendAt: LUMI_RESEND_AT,
        onReply(msg, rinfo) {
          const iam = parseLumiIam(msg);
          if (iam === null) {
            ctx.logger.warn({ from: `${rinfo.address}:${rinfo.port}`, bytes: msg.length, source: 'lumi' }, 'junk datagram ignored');
            return;
          }
          const s = emptySighting('lumi', ctx.clock.now());
          // §5.3: the iam `ip` is trusted less than the UDP source address.
          s.ip = rinfo.address;
          // The gateway sid is its MAC without colons (§5.3).
          s.mac = iam.sid !== null && iam.sid.length === 12 ? normalizeMac(iam.sid) : null;
          s.model = iam.model;
          s.lumi = iam;
          ctx.emit(s);
        },
      });
    },
  };
}

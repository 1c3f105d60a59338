/**
 * Fuzz the hostile-input parsers of discovery (issue 3): the lenient mDNS decoder, the service
 * assembly on top of it, Yeelight / Lumi replies, /proc/net/arp lines and target specs. Property:
 * never throw (targets: only ScanError), and what decodes from our own encoder round-trips.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLenient, encodeMessage, parseLumiIam, parseTarget, parseYeelightReply, servicesFromMessage, isScanError } from '@xmscan/scanner';
import { parseProcNetArp } from '../../packages/scanner/src/arp/proc-net-arp.js';

const RUNS = Number(process.env.XMSCAN_FUZZ_RUNS ?? 20_000);
const label = fc.stringMatching(/^[a-z0-9_-]{1,20}$/);
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => `${l.join('.')}.local`);

describe('discovery parsers under fuzz', () => {
  it('decodeLenient + servicesFromMessage never throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const msg = decodeLenient(bytes);
        servicesFromMessage(msg);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutations of a valid reply, and the untouched reply round-trips', () => {
    fc.assert(
      fc.property(
        name,
        fc.integer({ min: 1, max: 65535 }),
        fc.array(fc.stringMatching(/^[a-z]{1,8}=[ -~]{0,30}$/), { maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        (host, port, txt, flips) => {
          const inst = `dev_miio1._miio._udp.local`;
          const buf = encodeMessage({
            answers: [{ name: '_miio._udp.local', data: { kind: 'PTR', target: inst } }],
            additionals: [
              { name: inst, data: { kind: 'SRV', port, target: host } },
              { name: inst, data: { kind: 'TXT', strings: txt } },
              { name: host, data: { kind: 'A', address: '10.1.2.3' } },
            ],
          });
          const clean = servicesFromMessage(decodeLenient(buf));
          expect(clean).toHaveLength(1);
          expect(clean[0]).toMatchObject({ port, host, addresses: ['10.1.2.3'], txtMalformed: false });
          const mutated = Buffer.from(buf);
          for (const [at, v] of flips) mutated[at % mutated.length] = v;
          servicesFromMessage(decodeLenient(mutated));
        },
      ),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('Yeelight, Lumi and ARP parsers never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.string({ maxLength: 400 }), (bytes, text) => {
        parseYeelightReply(bytes);
        parseYeelightReply(Buffer.from(`HTTP/1.1 200 OK\r\n${text}`));
        parseLumiIam(bytes);
        parseLumiIam(Buffer.from(`{"cmd":"iam",${text}`));
        parseProcNetArp(`header\n${text}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseTarget throws only ScanError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (spec) => {
        try {
          parseTarget(spec);
        } catch (e) {
          expect(isScanError(e)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

import { decodeHelloReply, isHelloRequest, isMiioCodecError } from '@xmscan/miio-probe/codec';
import type { Sighting, SourceName } from '../discovery/sighting.js';

export type HelloOutcome =
  | { kind: 'device'; sighting: Sighting }
  | { kind: 'echo' } // a hello request (ours looped back, or another scanner)
  | { kind: 'junk'; code: string; message: string };

/**
 * Turn one datagram from UDP 54321 into a sighting (protocols.md §1.4). The token itself never
 * leaves the Token wrapper; the evidence hex masks it.
 */
export function interpretHelloDatagram(msg: Buffer, fromIp: string, source: SourceName, at: number): HelloOutcome {
  if (isHelloRequest(msg)) return { kind: 'echo' };
  let reply;
  try {
    reply = decodeHelloReply(msg);
  } catch (err) {
    if (isMiioCodecError(err)) return { kind: 'junk', code: err.code, message: err.message };
    return { kind: 'junk', code: 'MIIO_ERR_UNKNOWN', message: String(err) };
  }
  const masked = Buffer.from(msg);
  if (reply.tokenField === 'exposed') masked.fill(0x2a, 16, 32); // '*' × 16
  return {
    kind: 'device',
    sighting: {
      source,
      at,
      ip: fromIp,
      mac: null,
      // §1.2: the did may be 64 bits (bytes 4-11); every capture has a zero upper half.
      deviceId: reply.unknown === 0 ? String(reply.deviceId) : reply.deviceId64.toString(),
      model: null,
      names: [],
      hello: {
        stamp: reply.stamp,
        receivedAt: at,
        tokenField: reply.tokenField,
        hiddenAs: reply.hiddenAs,
        printableToken: reply.printableToken,
        token: reply.token,
        replyHex: masked.toString('hex'),
      },
    },
  };
}

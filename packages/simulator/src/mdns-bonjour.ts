import Bonjour from 'bonjour-service';
import { SimError } from './errors.js';
import { MDNS_GROUP, type MdnsQuestion, type MdnsRecord, allRecords, answerQuestion } from './mdns-records.js';
import { ANNOUNCE_INTERVAL_MS, MDNS_READY_TIMEOUT_MS, type MdnsResponder, type MdnsResponderOptions } from './mdns-responder.js';

/**
 * The only file that imports bonjour-service. Each device gets its own instance (its own socket),
 * as each real device runs its own responder.
 *
 * bonjour's `publish()` adds A records only for non-internal interfaces, so services seen on `lo`
 * carry no address (toolchain.md). We therefore register our own complete record set, with an A
 * record for a per-device host name pointing at the device's 127.0.0.x, into bonjour's server
 * (which then answers queries with SRV/TXT/A additionals) and announce it ourselves.
 */

interface MdnsLike {
  on(event: string, fn: (...args: any[]) => void): void;
  once(event: string, fn: (...args: any[]) => void): void;
  respond(res: unknown, rinfo?: unknown, cb?: (err?: Error | null) => void): void;
}
interface ServerLike {
  mdns: MdnsLike;
  register(records: MdnsRecord[]): void;
  unregister(records: MdnsRecord[]): void;
}

const TYPE_NAMES: Record<string, number> = { A: 1, PTR: 12, TXT: 16, SRV: 33, ANY: 255 };

export async function startBonjourResponder(opts: MdnsResponderOptions): Promise<MdnsResponder> {
  // multicast-dns: `interface` joins the group and picks the outgoing interface (and, for multicast,
  // the source address); `bind` on the group address receives multicast without binding 0.0.0.0.
  const bonjour = new Bonjour({ interface: opts.interfaceAddress, bind: MDNS_GROUP } as never, (err: Error) => opts.onError(err));
  const server = (bonjour as unknown as { server: ServerLike }).server;
  const mdns = server.mdns;
  // multicast-dns emits a warning per packet it cannot decode. Every responder hears the whole group, so one
  // deliberately malformed TXT answer (a `malformedTxt` profile) would be reported by every other device on
  // every query: report that junk once per device; socket errors (they carry a syscall) always.
  let junkReported = false;
  mdns.on('warning', (err: Error) => {
    if (typeof (err as NodeJS.ErrnoException).syscall === 'string') return opts.onError(err);
    if (junkReported) return;
    junkReported = true;
    opts.onError(new Error(`ignoring undecodable mDNS packets (${err.message}); further ones are not reported`, { cause: err }));
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new SimError('SIM_ERR_BIND', `mDNS responder on ${opts.interfaceAddress} not ready in time`)), MDNS_READY_TIMEOUT_MS);
    mdns.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
    mdns.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(new SimError('SIM_ERR_BIND', `mDNS responder on ${opts.interfaceAddress}: ${err.message}`, { cause: err }));
    });
  }).catch((err: unknown) => {
    bonjour.destroy();
    throw err;
  });

  const records = allRecords(opts.device);
  server.register(records);
  mdns.on('query', (query: { id?: number; questions?: { name: string; type: string; class?: string }[] }, rinfo: { address: string; port: number }) => {
    const questions: MdnsQuestion[] = (query.questions ?? []).map((q) => ({ name: q.name, type: TYPE_NAMES[q.type] ?? 0, qu: false }));
    const relevant = questions.filter((q) => answerQuestion(opts.device, q).answers.length > 0);
    if (relevant.length === 0) return;
    opts.onQuery(relevant, `${rinfo.address}:${rinfo.port}`);
    if (rinfo.port !== 5353) {
      // Legacy unicast querier (RFC 6762 §6.7): bonjour only multicasts, so answer it directly.
      const answers: MdnsRecord[] = [];
      const additionals: MdnsRecord[] = [];
      for (const q of relevant) {
        const r = answerQuestion(opts.device, q);
        answers.push(...r.answers);
        additionals.push(...r.additionals.filter((x) => !additionals.includes(x)));
      }
      mdns.respond({ id: query.id ?? 0, questions: query.questions, answers, additionals }, { address: rinfo.address, port: rinfo.port });
    }
  });

  let closed = false;
  const announce = () => {
    if (!closed) mdns.respond({ answers: records }, undefined, () => undefined);
  };
  announce();
  const timer = setTimeout(announce, ANNOUNCE_INTERVAL_MS);
  timer.unref();

  return {
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        clearTimeout(timer);
        // Goodbye: the same records with TTL 0 (RFC 6762 §10.1), then close the socket.
        const bye = records.map((r) => ({ ...r, ttl: 0 }));
        server.unregister(records);
        const deadline = setTimeout(() => bonjour.destroy(() => resolve()), 500);
        mdns.respond({ answers: bye }, undefined, () => {
          clearTimeout(deadline);
          bonjour.destroy(() => resolve());
        });
      }),
  };
}

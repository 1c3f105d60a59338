import { MDNS_GROUP, MDNS_PORT, type MdnsQuestion, type MdnsRecord, allRecords, answerQuestion, decodeMdnsQuery, encodeMdnsResponse } from './mdns-records.js';
import { ANNOUNCE_INTERVAL_MS, type MdnsResponder, type MdnsResponderOptions } from './mdns-responder.js';
import { openUdp } from './udp.js';

/**
 * Our own small responder for firmware that sends a TXT without its length byte (zhimi.airpurifier.m1,
 * protocols.md §4.1). bonjour-service/dns-packet cannot emit that, so this encodes the packets
 * itself. It answers PTR queries for its service types and `_services._dns-sd._udp.local`, plus
 * SRV/TXT/A on its own names, and announces at start.
 */
export async function startRawResponder(opts: MdnsResponderOptions): Promise<MdnsResponder> {
  const raw = new Map<string, Buffer>();
  for (const s of opts.device.services) if (s.rawTxt) raw.set(s.fqdn.toLowerCase(), s.rawTxt);
  const records = allRecords(opts.device);
  const encode = (answers: MdnsRecord[], additionals: MdnsRecord[] = []) => encodeMdnsResponse(answers, additionals, raw);

  const udp = await openUdp({
    address: MDNS_GROUP,
    port: MDNS_PORT,
    reuseAddr: true,
    memberships: [{ group: MDNS_GROUP, iface: opts.interfaceAddress }],
    multicastInterface: opts.interfaceAddress,
    multicastTtl: 255,
    onError: opts.onError,
    onMessage(msg, from) {
      let questions: MdnsQuestion[];
      try {
        questions = decodeMdnsQuery(msg);
      } catch {
        return; // responses (including our own loopback) and junk
      }
      const answers: MdnsRecord[] = [];
      const additionals: MdnsRecord[] = [];
      const relevant: MdnsQuestion[] = [];
      for (const q of questions) {
        const r = answerQuestion(opts.device, q);
        if (r.answers.length === 0) continue;
        relevant.push(q);
        for (const a of r.answers) if (!answers.includes(a)) answers.push(a);
        for (const a of r.additionals) if (!additionals.includes(a) && !answers.includes(a)) additionals.push(a);
      }
      if (relevant.length === 0) return;
      opts.onQuery(relevant, `${from.address}:${from.port}`);
      const packet = encode(answers, additionals);
      if (from.port !== MDNS_PORT) {
        // Legacy unicast querier (RFC 6762 §6.7): reply to its port, echoing the query id.
        packet.writeUInt16BE(msg.readUInt16BE(0), 0);
        void udp.send(packet, from.port, from.address);
      } else {
        void udp.send(packet, MDNS_PORT, MDNS_GROUP);
      }
    },
  });

  let closed = false;
  const announce = () => {
    if (!closed) void udp.send(encode(records), MDNS_PORT, MDNS_GROUP);
  };
  announce();
  const timer = setTimeout(announce, ANNOUNCE_INTERVAL_MS);
  timer.unref();
  return {
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      await udp.send(encode(records.map((r) => ({ ...r, ttl: 0 }) as MdnsRecord)), MDNS_PORT, MDNS_GROUP);
      await udp.close();
    },
  };
}

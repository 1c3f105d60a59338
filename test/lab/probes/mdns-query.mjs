// Lab probe, run inside the LAN namespace: send one hand-made DNS query (PTR _miio._udp.local by default) to
// 224.0.0.251:5353 from port 5353 on the scanner interface, print every datagram received as JSON lines
// {from, port, hex}. The raw bytes matter: some firmware sends TXT records that DNS libraries drop
// (protocols.md §4.1), so no decoding happens here.
// Usage: node mdns-query.mjs <interfaceAddress> [serviceName] [listenMs]
import dgram from 'node:dgram';

const [ifaceAddress = '10.213.0.1', service = '_miio._udp.local', listenArg = '2500'] = process.argv.slice(2);
const listenMs = Math.min(Math.max(Number(listenArg) || 2500, 100), 30_000);
const GROUP = '224.0.0.251';

/** A one-question DNS query: id 0, no flags, QTYPE PTR (12), QCLASS IN (1). */
function encodeQuery(name) {
  const labels = name.split('.').filter(Boolean);
  const parts = [Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const label of labels) {
    const b = Buffer.from(label, 'utf8');
    if (b.length > 63) throw new Error(`label too long: ${label}`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0, 0, 12, 0, 1]));
  return Buffer.concat(parts);
}

// Port 5353 (shared with anything else listening) so responders treat this as a normal mDNS query and answer on
// the group, which we join on the scanner interface.
const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
sock.on('message', (msg, rinfo) => {
  process.stdout.write(JSON.stringify({ from: rinfo.address, port: rinfo.port, hex: msg.toString('hex') }) + '\n');
});
sock.on('error', (err) => {
  process.stderr.write(`socket error: ${err.message}\n`);
  process.exitCode = 2;
});
sock.bind(5353, '0.0.0.0', () => {
  sock.addMembership(GROUP, ifaceAddress);
  sock.setMulticastInterface(ifaceAddress);
  sock.setMulticastTTL(255);
  sock.setMulticastLoopback(false);
  sock.send(encodeQuery(service), 5353, GROUP, (err) => {
    if (err) {
      process.stderr.write(`send: ${err.message}\n`);
      process.exitCode = 2;
    }
  });
  setTimeout(() => sock.close(), listenMs);
});

// Lab probe, run inside the LAN namespace: send ONE miIO hello (protocols.md §1.3) to the limited broadcast and
// to the subnet's directed broadcast from a socket bound to the scanner address, then print every datagram that
// came back within the listen window as JSON lines {from, port, hex}.
// Usage: node hello-broadcast.mjs <bindAddress> <directedBroadcast> [listenMs]
import dgram from 'node:dgram';

const [bindAddress = '10.213.0.1', directed = '10.213.0.255', listenArg = '2500'] = process.argv.slice(2);
const listenMs = Math.min(Math.max(Number(listenArg) || 2500, 100), 30_000);
const HELLO = Buffer.from('21310020' + 'ff'.repeat(28), 'hex');

const sock = dgram.createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  process.stdout.write(JSON.stringify({ from: rinfo.address, port: rinfo.port, hex: msg.toString('hex') }) + '\n');
});
sock.on('error', (err) => {
  process.stderr.write(`socket error: ${err.message}\n`);
  process.exitCode = 2;
});
sock.bind(0, bindAddress, () => {
  sock.setBroadcast(true);
  for (const target of ['255.255.255.255', directed]) {
    sock.send(HELLO, 54321, target, (err) => {
      if (err) {
        process.stderr.write(`send to ${target}: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
  }
  setTimeout(() => sock.close(), listenMs);
});

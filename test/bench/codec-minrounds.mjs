#!/usr/bin/env node
// Codec operations, xmscan vs node-miio's Packet on identical inputs (the cuco.plug.v3 vectors), timed as the
// minimum over 30 alternating rounds: on a shared machine the minimum is what the code costs, the mean is
// what the neighbours cost. Uses the build (packages/miio-probe/dist). Prints a table, then one JSON line.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from '../lab/lab.mjs';

const require = createRequire(join(REPO_ROOT, 'test/package.json'));
const Packet = require('node-miio/lib/packet.js');
const safeishJSON = require('node-miio/lib/safeishJSON.js');
const c = await import(join(REPO_ROOT, 'packages/miio-probe/dist/codec/index.js'));
const v = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/miio/miio-vectors.json'), 'utf8'))['real_device_miio_info_response_cuco_plug_v3'];
const token = c.Token.fromHex(v.token);
const reply = Buffer.from(v.packet_hex, 'hex');
const plain = Buffer.from(v.plaintext_utf8, 'utf8');
const request = c.encodePayload(c.buildRequest(1, 'miIO.info'));
const hello = c.encodeHelloReply({ deviceId: 0x2246b494, stamp: 4098901, tokenField: 'ff' });
const fields = { deviceId: 0x2246b494, stamp: 4098901, payload: request };
const enc = new Packet();
enc.token = token.bytes();
enc.raw = hello;
const dec = new Packet();
dec.token = token.bytes();
enc.data = request;
if (!enc.raw.equals(c.encodePacket(token, fields))) throw new Error('inputs differ between node-miio and xmscan');

const groups = {
  'encode request, 80 B packet': { xmscan: () => c.encodePacket(token, fields), 'node-miio': () => ((enc.data = request), enc.raw) },
  'decode reply, 528 B packet': { xmscan: () => c.decodePacket(token, reply), 'node-miio': () => (dec.raw = reply) },
  'decode hello reply, 32 B': {
    xmscan: () => c.decodeHelloReply(hello),
    'node-miio': () => {
      const p = new Packet();
      p.raw = hello;
      p.handleHandshakeReply();
    },
  },
  'encrypt 43 B': { xmscan: () => c.encrypt(token, request) },
  'decrypt 496 B': { xmscan: () => c.decrypt(token, reply.subarray(32)) },
  'payload JSON, 464 B': { xmscan: () => c.decodePayload(plain), 'node-miio': () => safeishJSON(plain.toString('utf8')) },
};
const out = {};
for (const [g, fns] of Object.entries(groups)) {
  const best = Object.fromEntries(Object.keys(fns).map((k) => [k, Infinity]));
  for (const f of Object.values(fns)) for (let i = 0; i < 5000; i++) f();
  for (let round = 0; round < 30; round++) {
    for (const [k, f] of Object.entries(fns)) {
      const n = 4000;
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f();
      best[k] = Math.min(best[k], Number(process.hrtime.bigint() - t) / n);
    }
  }
  out[g] = Object.fromEntries(Object.entries(best).map(([k, ns]) => [k, { ns: +ns.toFixed(0), opsPerSec: Math.round(1e9 / ns) }]));
  const ratio = best['node-miio'] ? ` xmscan/node-miio throughput ${(best['node-miio'] / best.xmscan).toFixed(2)}×` : '';
  console.log(`${g.padEnd(30)} ${Object.entries(best).map(([k, ns]) => `${k} ${(ns / 1000).toFixed(2)} µs`).join(' | ')}${ratio}`);
}
console.log(JSON.stringify(out));

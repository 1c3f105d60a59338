/** The miIO client against a real UDP fake device on 127.0.0.1 (style.md §7.8). */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeMiioDevice, type FakeMiioDeviceOptions, startFakeMiioDevice } from '../../../test/fakes/fake-miio-device.js';
import { createMiioClient, retryRequestId, type MiioClient, type MiioClientOptions } from './client.js';
import { Token, decodePacket, decodePayload, encodeHelloReply, encodePacket, encodePayload } from './codec/index.js';
import {
  MiioAbortedError,
  MiioBadReplyError,
  MiioClosedError,
  MiioDeviceError,
  MiioNoTokenError,
  MiioTimeoutError,
  MiioTokenRejectedError,
} from './errors.js';
import type { UdpMessageListener, UdpTransport } from './transport/udp.js';

const TOKEN = Token.fromHex('ed0ec8e98fd21edd701ee653713a293b');
const WRONG = Token.fromHex('0123456789abcdef0123456789abcdef');

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function device(o: Partial<FakeMiioDeviceOptions> = {}): Promise<FakeMiioDevice> {
  const d = await startFakeMiioDevice({ token: TOKEN, ...o });
  open.push(d);
  return d;
}

function client(d: FakeMiioDevice, o: Partial<MiioClientOptions> = {}): MiioClient {
  const c = createMiioClient({ address: d.address, port: d.port, token: TOKEN, ...o });
  open.push(c);
  return c;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

describe('handshake', () => {
  it.each([
    ['ff', 'hidden', 'ff'],
    ['00', 'hidden', '00'],
    ['leak', 'exposed', null],
  ] as const)('hello field %s ⇒ %s', async (helloField, verdict, hiddenAs) => {
    const d = await device({ helloField, stamp: 4242 });
    let clock = 1_000_000;
    const c = client(d, { now: () => clock });
    const hs = await c.handshake();
    expect(hs.deviceId).toBe(d.deviceId);
    expect(hs.stamp).toBeGreaterThanOrEqual(4242);
    expect(hs.stamp).toBeLessThan(4245);
    expect(hs.tokenField).toBe(verdict);
    expect(hs.hiddenAs).toBe(hiddenAs);
    expect(hs.receivedAt).toBe(clock);
    if (helloField === 'leak') expect(hs.token?.equals(TOKEN)).toBe(true);
    else expect(hs.token).toBeNull();
    expect(c.lastHandshake).toBe(hs);
    clock += 1;
  });

  it('duplicated hello replies (§1.1) do not disturb the next call', async () => {
    const d = await device({ duplicateHello: true });
    const c = client(d);
    await c.handshake();
    await expect(c.call('miIO.info')).resolves.toMatchObject({ model: 'cuco.plug.v3' });
  });

  it('silent device: MiioTimeoutError in ≤ 1 s after 2 hellos', async () => {
    const d = await device({ silent: true });
    const c = client(d);
    const { ms, value: err } = await timed(() => rejection(c.handshake()));
    expect(err).toBeInstanceOf(MiioTimeoutError);
    expect(err).toMatchObject({ code: 'MIIO_ERR_TIMEOUT', phase: 'handshake', attempts: 2, helloAnswered: false });
    expect(ms).toBeLessThan(1000);
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(d.hellos).toBe(2);
  });

  it('silent device: a call also fails within 1 s (no call is sent without a handshake)', async () => {
    const d = await device({ silent: true });
    const c = client(d);
    const { ms, value: err } = await timed(() => rejection(c.call('miIO.info')));
    expect(err).toMatchObject({ code: 'MIIO_ERR_TIMEOUT', phase: 'handshake' });
    expect(ms).toBeLessThan(1000);
  });
});

describe('calls', () => {
  it('stamp = device stamp + seconds elapsed on the client clock (§1.8)', async () => {
    const d = await device({ stamp: 5000 });
    let clock = 10_000;
    const c = client(d, { now: () => clock });
    const hs = await c.handshake();
    clock += 7_900; // 7.9 s: whole seconds only
    await c.call('miIO.info');
    expect(d.requests[0]?.stamp).toBe(hs.stamp + 7);
  });

  it('re-handshakes after 120 s without a message (node-miio needsHandshake, §1.8)', async () => {
    const d = await device();
    let clock = 0;
    const c = client(d, { now: () => clock });
    await c.call('miIO.info');
    clock += 60_000;
    await c.call('miIO.info');
    expect(d.hellos).toBe(1);
    clock += 120_001;
    await c.call('miIO.info');
    expect(d.hellos).toBe(2);
    expect(c.lastHandshake?.receivedAt).toBe(clock);
  });

  it('ids: random start in 1..9000, +1 per call, +100 per retry, never 9998 (§1.9)', async () => {
    let answer = false;
    const d = await device({
      methods: {
        ping: () => {
          answer = !answer; // drop every other request: first attempt lost, retry answered
          return answer ? 'silent' : { result: ['pong'] };
        },
      },
    });
    const c = client(d, { random: () => 0.5 });
    await c.call('ping');
    expect(d.requests.map((r) => r.id)).toEqual([4501, 4601]);
    await c.call('ping');
    expect(d.requests.map((r) => r.id)).toEqual([4501, 4601, 4602, 4702]);

    const c2 = client(d, { random: () => 0.999999 });
    d.requests.length = 0;
    answer = true;
    await c2.call('ping');
    expect(d.requests[0]?.id).toBe(9000);
    const c3 = client(d, { random: () => 0 });
    d.requests.length = 0;
    answer = true;
    await c3.call('ping');
    expect(d.requests[0]?.id).toBe(1);
    expect([retryRequestId(9898), retryRequestId(9899), retryRequestId(9900), retryRequestId(9950)]).toEqual([9999, 9999, 1, 51]);
  });

  it('a slow first answer landing during the retry is accepted', async () => {
    const d = await device({ delayMs: 380 });
    const c = client(d, { timeoutMs: 300, retries: 1 });
    // hello answered late too: attempt 1 of the handshake times out, its reply lands during attempt 2
    await expect(c.call('miIO.info')).resolves.toMatchObject({ model: 'cuco.plug.v3' });
  });

  it('one request in flight per client: concurrent calls are serialised', async () => {
    const d = await device({ delayMs: 40 });
    const c = client(d);
    const results = await Promise.all([c.call('miIO.info'), c.call('miIO.info'), c.call('miIO.info')]);
    expect(results).toHaveLength(3);
    const ids = d.requests.map((r) => r.id);
    expect(ids).toEqual([ids[0], ids[0]! + 1, ids[0]! + 2]);
    expect(d.hellos).toBe(1);
  });

  it('stale reply ids are dropped and counted', async () => {
    const d = await device({ staleBeforeReply: true });
    const c = client(d);
    const r = await c.request('miIO.info');
    expect(r.id).toBe(d.requests[0]?.id);
    expect(c.stats().stale).toBeGreaterThanOrEqual(1);
  });

  it('junk datagrams are ignored and counted, never crash', async () => {
    const d = await device({ junkBeforeReply: 6 });
    const c = client(d);
    await expect(c.call('miIO.info')).resolves.toMatchObject({ model: 'cuco.plug.v3' });
    expect(c.stats().junk).toBeGreaterThanOrEqual(10); // 6 before the hello reply, 6 before the answer (the 0-byte one may be dropped)
  });

  it('device error envelope ⇒ MiioDeviceError with the device code and recoverable flag', async () => {
    const d = await device({
      methods: {
        busy: () => ({ error: { code: -9999, message: 'user ack timeout' } }),
        flaky: () => ({ error: { code: -30001, message: 'x' } }),
        bad: () => ({ error: { code: -5001, message: 'invalid_arg' } }),
      },
    });
    const c = client(d);
    for (const [method, code, recoverable] of [['busy', -9999, true], ['flaky', -30001, true], ['bad', -5001, false], ['nope', -10000, false]] as const) {
      const err = await rejection(c.call(method));
      expect(err).toBeInstanceOf(MiioDeviceError);
      expect(err).toMatchObject({ code: 'MIIO_ERR_DEVICE', deviceCode: code, recoverable, method });
    }
  });

  it('quirky payloads decode; an empty payload is MIIO_ERR_EMPTY_REPLY; garbage is MIIO_ERR_BAD_REPLY', async () => {
    let next = 0;
    const d = await device({
      methods: {
        quirky: (_p, id) => ({ plaintext: Buffer.from(`{"id":${id},,"result":[,],"v":00}\0\0`) }),
        empty: () => ({ plaintext: Buffer.alloc(0) }),
        garbage: () => ({ plaintext: Buffer.from([0xff, 0xfe, (next++) & 0xff]) }),
      },
    });
    const c = client(d);
    await expect(c.call('quirky')).resolves.toEqual([null, null]);
    const empty = await rejection(c.call('empty'));
    expect(empty).toBeInstanceOf(MiioBadReplyError);
    expect(empty).toMatchObject({ code: 'MIIO_ERR_EMPTY_REPLY' });
    expect(await rejection(c.call('garbage'))).toMatchObject({ code: 'MIIO_ERR_BAD_REPLY' });
  });

  it('no token ⇒ MiioNoTokenError, before anything is sent', async () => {
    const d = await device();
    const c = createMiioClient({ address: d.address, port: d.port });
    open.push(c);
    expect(await rejection(c.call('miIO.info'))).toBeInstanceOf(MiioNoTokenError);
    expect(c.stats().sent).toBe(0);
  });
});

describe('wrong token (§1.10)', () => {
  it('device stays silent ⇒ MiioTimeoutError (phase call, hello answered) in ≤ 1 s', async () => {
    const d = await device({ wrongToken: 'silence' });
    const c = client(d, { token: WRONG });
    const { ms, value: err } = await timed(() => rejection(c.call('miIO.info')));
    expect(err).toBeInstanceOf(MiioTimeoutError);
    expect(err).toMatchObject({ code: 'MIIO_ERR_TIMEOUT', phase: 'call', helloAnswered: true, attempts: 2 });
    expect(ms).toBeLessThan(1000);
    expect(d.requests.filter((r) => !r.checksumOk)).toHaveLength(2);
  });

  it('device answers a bare ff header ⇒ MiioTokenRejectedError in ≤ 1 s', async () => {
    const d = await device({ wrongToken: 'ff-header' });
    const c = client(d, { token: WRONG });
    const { ms, value: err } = await timed(() => rejection(c.call('miIO.info')));
    expect(err).toBeInstanceOf(MiioTokenRejectedError);
    expect(err).toMatchObject({ code: 'MIIO_ERR_TOKEN_REJECTED', reason: 'bare-header' });
    expect(ms).toBeLessThan(1000);
    // The error never carries the token.
    expect(inspect(err) + JSON.stringify(err)).not.toContain(WRONG.revealHex());
  });

  it('reply whose checksum fails under our token ⇒ MiioTokenRejectedError at once', async () => {
    const d = await device({ replyToken: WRONG });
    const c = client(d);
    const { ms, value: err } = await timed(() => rejection(c.call('miIO.info')));
    expect(err).toMatchObject({ code: 'MIIO_ERR_TOKEN_REJECTED', reason: 'checksum' });
    expect(ms).toBeLessThan(250);
  });
});

describe('abort', () => {
  it('an in-flight call rejects promptly with MiioAbortedError', async () => {
    const d = await device({ neverAnswerInfo: true });
    const c = client(d, { timeoutMs: 5_000 });
    await c.handshake();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('user')), 50);
    const { ms, value: err } = await timed(() => rejection(c.call('miIO.info', [], { signal: ac.signal })));
    expect(err).toBeInstanceOf(MiioAbortedError);
    expect(err).toMatchObject({ code: 'MIIO_ERR_ABORTED' });
    expect((err as MiioAbortedError).cause).toMatchObject({ message: 'user' });
    expect(ms).toBeLessThan(500);
  });

  it('an already-aborted signal sends nothing; a client-wide signal aborts queued calls too', async () => {
    const d = await device({ neverAnswerInfo: true });
    const c1 = client(d);
    expect(await rejection(c1.call('miIO.info', [], { signal: AbortSignal.abort() }))).toBeInstanceOf(MiioAbortedError);
    expect(c1.stats().sent).toBe(0);

    const ac = new AbortController();
    const c2 = client(d, { signal: ac.signal, timeoutMs: 5_000 });
    const first = rejection(c2.call('miIO.info'));
    const queued = rejection(c2.call('miIO.info'));
    setTimeout(() => ac.abort(), 50);
    const [e1, e2] = await Promise.all([first, queued]);
    expect(e1).toBeInstanceOf(MiioAbortedError);
    expect(e2).toBeInstanceOf(MiioAbortedError);
  });

  it('close() rejects the request in flight with MiioClosedError and later calls too', async () => {
    const d = await device({ neverAnswerInfo: true });
    const c = client(d, { timeoutMs: 5_000 });
    await c.handshake();
    const pending = rejection(c.call('miIO.info'));
    setTimeout(() => void c.close(), 30);
    expect(await pending).toBeInstanceOf(MiioClosedError);
    expect(await rejection(c.call('miIO.info'))).toBeInstanceOf(MiioClosedError);
  });
});

describe('injected transport', () => {
  /** An in-memory transport: the test plays the device. */
  function memoryTransport() {
    const listeners = new Set<UdpMessageListener>();
    const sent: Array<{ buf: Buffer; port: number; host: string }> = [];
    let onSend: (buf: Buffer) => void = () => {};
    const t: UdpTransport = {
      bind: async () => {},
      send: async (buf, port, host) => {
        sent.push({ buf: Buffer.from(buf), port, host });
        queueMicrotask(() => onSend(Buffer.from(buf)));
      },
      onMessage: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      onError: () => () => {},
      address: () => ({ address: '127.0.0.1', port: 1 }),
      close: async () => {},
    };
    const deliver = (buf: Buffer, address = '10.9.9.9', port = 54321) => listeners.forEach((l) => l(buf, { address, port }));
    return { t, sent, deliver, respond: (fn: (buf: Buffer) => void) => (onSend = fn) };
  }

  it('foreign peers are ignored; the client does not close a transport it was given', async () => {
    const m = memoryTransport();
    let closedCalled = false;
    m.t.close = async () => {
      closedCalled = true;
    };
    const c = createMiioClient({ address: '10.9.9.9', token: TOKEN, transport: m.t });
    m.respond((buf) => {
      m.deliver(Buffer.from('junk'), '10.9.9.8'); // another device on the shared socket
      m.deliver(Buffer.from('junk'), '10.9.9.9', 1234); // right host, wrong port
      if (buf.length === 32) {
        m.deliver(encodeHelloReply({ deviceId: 7, stamp: 100, tokenField: 'ff' }), '::ffff:10.9.9.9');
        return;
      }
      const req = decodePayload(decodePacket(TOKEN, buf).payload!).value as { id: number };
      m.deliver(encodePacket(TOKEN, { deviceId: 7, stamp: 101, payload: encodePayload({ id: req.id, result: 'ok' }) }));
    });
    await expect(c.call('x')).resolves.toBe('ok');
    expect(c.stats()).toMatchObject({ foreign: 4, junk: 0, sent: 2, received: 2 });
    expect(m.sent.every((s) => s.host === '10.9.9.9' && s.port === 54321)).toBe(true);
    await c.close();
    expect(closedCalled).toBe(false);
  });
});

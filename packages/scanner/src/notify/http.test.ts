/** The node:http adapter against a receiver on 127.0.0.1 (unicast loopback only). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpSend } from './http.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

function listen(handler: Parameters<typeof createServer>[1]): Promise<URL> {
  server = createServer(handler);
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve(new URL(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/hook`))));
}

describe('nodeHttpSend', () => {
  it('POSTs the body with our headers and returns status and Retry-After', async () => {
    let got: { method?: string; body: string; headers: Record<string, unknown> } = { body: '', headers: {} };
    const url = await listen((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        got = { method: req.method, body: b, headers: req.headers };
        res.writeHead(429, { 'retry-after': '7' }).end('slow down');
      });
    });
    const r = await nodeHttpSend({ url, method: 'POST', headers: { 'content-type': 'application/json', title: 'hi' }, body: Buffer.from('{"a":1}') }, { timeoutMs: 2000 });
    expect(r).toEqual({ status: 429, retryAfter: '7' });
    expect(got.method).toBe('POST');
    expect(got.body).toBe('{"a":1}');
    expect(got.headers).toMatchObject({ 'content-type': 'application/json', title: 'hi', 'content-length': '7' });
  });

  it('does not follow redirects', async () => {
    let hits = 0;
    const url = await listen((_req, res) => {
      hits++;
      res.writeHead(302, { location: '/elsewhere' }).end();
    });
    const r = await nodeHttpSend({ url, method: 'POST', headers: {}, body: Buffer.from('x') }, { timeoutMs: 2000 });
    expect(r.status).toBe(302);
    expect(hits).toBe(1);
  });

  it('times out a receiver that never answers, within its deadline', async () => {
    const url = await listen(() => {
      /* never answers */
    });
    const t0 = Date.now();
    await expect(nodeHttpSend({ url, method: 'POST', headers: {}, body: Buffer.from('x') }, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'SCAN_ERR_NOTIFY_NETWORK' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('reports a refused connection as a network error', async () => {
    const url = await listen(() => {});
    const port = url.port;
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    await expect(nodeHttpSend({ url: new URL(`http://127.0.0.1:${port}/`), method: 'POST', headers: {}, body: Buffer.alloc(0) }, { timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'SCAN_ERR_NOTIFY_NETWORK',
    });
  });

  it('stops reading a huge answer and still returns the status', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (res.write(chunk)) if (res.writableLength > 1e6) break;
      };
      pump();
      res.on('drain', pump);
    });
    const r = await nodeHttpSend({ url, method: 'POST', headers: {}, body: Buffer.from('x') }, { timeoutMs: 2000 });
    expect(r.status).toBe(200);
  });
});

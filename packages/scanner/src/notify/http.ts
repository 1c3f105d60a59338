/**
 * The one file of notify/ that touches the network: POST one request with node:http / node:https.
 * No redirects are followed (a 3xx is an answer like any other: the body must not be re-sent to a
 * place the user did not name). Every request has a deadline; the response body is read (bounded)
 * only to free the socket.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { NotifyError } from './errors.js';
import type { HttpSend } from './types.js';

const MAX_RESPONSE_BYTES = 16 * 1024;

export const nodeHttpSend: HttpSend = (req, { timeoutMs, signal }) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new NotifyError('SCAN_ERR_NOTIFY_DEADLINE', 'notification aborted'));
      return;
    }
    const send = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (err: Error | null, value?: { status: number; retryAfter: string | null }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value!);
    };
    const r = send(req.url, {
      method: req.method,
      headers: { ...req.headers, 'content-length': String(req.body.length) },
      agent: false, // one request per run: no keep-alive socket to hold the process open
    });
    const timer = setTimeout(() => {
      r.destroy();
      finish(new NotifyError('SCAN_ERR_NOTIFY_NETWORK', `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onAbort = () => {
      r.destroy();
      finish(new NotifyError('SCAN_ERR_NOTIFY_DEADLINE', 'notification aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    r.on('error', (err: NodeJS.ErrnoException) => {
      finish(new NotifyError('SCAN_ERR_NOTIFY_NETWORK', `request failed: ${err.code ?? err.message}`, { cause: err }));
    });
    r.on('response', (res) => {
      const ra = res.headers['retry-after'];
      const value = { status: res.statusCode ?? 0, retryAfter: typeof ra === 'string' ? ra : null };
      let seen = 0;
      res.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > MAX_RESPONSE_BYTES) {
          // We have the status; a receiver that keeps talking is not waited for.
          res.destroy();
          finish(null, value);
        }
      });
      res.on('end', () => finish(null, value));
      res.on('error', () => finish(null, value));
      res.on('close', () => finish(null, value));
    });
    r.end(req.body);
  });

/** Generic JSON webhook: POST application/json with the payload of json-payload.ts. */
import { jsonBody } from './json-payload.js';
import type { HttpRequest, NotifyMessage, NotifyTarget } from './types.js';

export function webhookRequest(target: NotifyTarget, message: NotifyMessage, userAgent: string): HttpRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': userAgent };
  if (target.authorization) headers.authorization = target.authorization;
  return { url: target.url, method: 'POST', headers, body: jsonBody(message) };
}

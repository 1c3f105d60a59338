/**
 * Home Assistant webhook trigger (`/api/webhook/<id>`): HA hands a JSON body to the automation as
 * `trigger.json`, so the body is the generic JSON payload; HA answers 200 whether or not an
 * automation listens (the id is the only credential, so it is masked in logs).
 */
import { jsonBody } from './json-payload.js';
import type { HttpRequest, NotifyMessage, NotifyTarget } from './types.js';

export function homeAssistantRequest(target: NotifyTarget, message: NotifyMessage, userAgent: string): HttpRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': userAgent };
  if (target.authorization) headers.authorization = target.authorization;
  return { url: target.url, method: 'POST', headers, body: jsonBody(message) };
}

/**
 * ntfy publish: POST the plain-text message to `<server>/<topic>`, with the `Title`, `Priority`
 * (1 min … 5 max) and `Tags` (emoji short codes, comma-separated) headers ntfy reads.
 * Header values are kept ASCII: node refuses other bytes in headers, and the title is ours anyway.
 */
import type { Severity } from '@xmscan/report';
import type { HttpRequest, NotifyMessage, NotifyTarget } from './types.js';

/** Priority from the most severe new finding; a run with only new devices is "default" (3). */
export function ntfyPriority(highest: Severity | null): 1 | 2 | 3 | 4 | 5 {
  switch (highest) {
    case 'critical':
      return 5;
    case 'high':
      return 4;
    case 'medium':
      return 3;
    case 'low':
    case 'info':
      return 2;
    default:
      return 3;
  }
}

export function ntfyTags(highest: Severity | null): string[] {
  const tags = ['xmscan'];
  if (highest === 'critical') tags.unshift('rotating_light');
  else if (highest === 'high') tags.unshift('warning');
  else tags.unshift('house');
  return tags;
}

const ascii = (s: string, max: number) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);

export function ntfyRequest(target: NotifyTarget, message: NotifyMessage, userAgent: string): HttpRequest {
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    'user-agent': userAgent,
    title: ascii(message.title, 200),
    priority: String(ntfyPriority(message.highestNewSeverity)),
    tags: ntfyTags(message.highestNewSeverity).join(','),
  };
  if (target.authorization) headers.authorization = target.authorization;
  return { url: target.url, method: 'POST', headers, body: Buffer.from(message.text, 'utf8') };
}

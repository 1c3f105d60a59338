/**
 * Notification types. The diff types (`Change`, `ReportDiff`, `DeviceKey`) are @xmscan/report's
 * (diff.ts), re-exported so the rest of notify/ has one import site.
 */
import type { Severity } from '@xmscan/report';

export type { Change, DeviceKey, ReportDiff } from '@xmscan/report';

/** Where a message goes. `kind` decides the request shape; `url` is the real http(s) endpoint. */
export interface NotifyTarget {
  kind: 'webhook' | 'ntfy' | 'homeassistant';
  /** The http(s) URL the request goes to, without user info. */
  url: URL;
  /** `Authorization` header value from the URL's user info (ntfy access tokens, basic auth). Never logged. */
  authorization?: string;
  /**
   * How to name the target in logs and errors: scheme, host, port and a masked path. A Home Assistant
   * webhook id and an ntfy topic are capabilities (anyone who knows them can post), so neither is shown.
   */
  display: string;
}

/** One change, projected to plain redacted fields: what every transport serialises. */
export interface ChangeItem {
  kind: string;
  /** Device identity from the diff (`did:…`, `mac:…`, `ip:…`). */
  device: string;
  ip: string | null;
  model: string | null;
  name: string | null;
  severity?: Severity;
  checkId?: string;
  title?: string;
  subject?: string;
  port?: number;
  protocol?: 'tcp' | 'udp';
  from?: string | null;
  to?: string | null;
  /** One human line describing the change. */
  text: string;
}

/** The redacted, bounded content of one notification, before a transport shapes it. */
export interface NotifyMessage {
  tool: { name: string; version: string };
  startedAt: string;
  previousStartedAt: string | null;
  incomplete: boolean;
  /** Short, ASCII-only headline (ntfy Title). */
  title: string;
  /** Most severe severity among new findings; null when none is new. */
  highestNewSeverity: Severity | null;
  summary: {
    devices: number;
    findingsBySeverity: Record<Severity, number>;
    /** Count per change kind (all changes, not only the listed ones). */
    changes: Record<string, number>;
  };
  /** The first `maxChanges` changes, most important first. */
  changes: ChangeItem[];
  /** How many changes were left out of `changes`. */
  moreChanges: number;
  /** Plain-text rendering (ntfy body; `message` field of the JSON payloads). */
  text: string;
}

/** One HTTP request as the adapter sends it. */
export interface HttpRequest {
  url: URL;
  method: 'POST';
  headers: Record<string, string>;
  body: Buffer;
}

export interface HttpResponse {
  status: number;
  /** Retry-After as received (seconds or HTTP date), if any. */
  retryAfter: string | null;
}

/** The injectable transport: one request, one response; rejects on network error or timeout. */
export type HttpSend = (req: HttpRequest, opts: { timeoutMs: number; signal?: AbortSignal | undefined }) => Promise<HttpResponse>;

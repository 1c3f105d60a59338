/**
 * One run's notifications: build the message once, shape it per target, scrub, deliver with bounded
 * retries, in parallel. Library code: never prints, never throws for a delivery failure (each target's
 * outcome is returned); the CLI step reports and picks the exit status.
 */
import type { ScanReport } from '@xmscan/report';
import { NotifyError } from './errors.js';
import { homeAssistantRequest } from './homeassistant.js';
import { nodeHttpSend } from './http.js';
import { buildNotifyMessage, type BuildMessageOptions } from './message.js';
import { ntfyRequest } from './ntfy.js';
import { deliver, type RetryClock, type RetryPolicy } from './retry.js';
import { assertRequestSafe } from './scrub.js';
import type { HttpRequest, HttpSend, NotifyMessage, NotifyTarget, ReportDiff } from './types.js';
import { webhookRequest } from './webhook.js';

export interface NotifyOptions extends BuildMessageOptions {
  /** Transport (tests inject one); default node:http/https. */
  send?: HttpSend;
  clock?: RetryClock;
  policy?: Partial<RetryPolicy>;
  signal?: AbortSignal | undefined;
  /**
   * Raw secrets the run learned (token hex …), used only to check that no payload contains them in
   * any form. Never copied into a message.
   */
  forbidden?: readonly string[];
}

export interface TargetResult {
  /** Masked target name (targets.ts displayTarget). */
  target: string;
  kind: NotifyTarget['kind'];
  ok: boolean;
  attempts: number;
  status?: number;
  waits: number[];
  error?: { code: NotifyError['code']; message: string };
}

export interface NotifyOutcome {
  /** The message, or null when nothing notifiable changed (then nothing was sent). */
  message: NotifyMessage | null;
  results: TargetResult[];
}

export function requestFor(target: NotifyTarget, message: NotifyMessage): HttpRequest {
  const ua = `${message.tool.name}/${message.tool.version}`.replace(/[^\x20-\x7e]/g, '?');
  switch (target.kind) {
    case 'ntfy':
      return ntfyRequest(target, message, ua);
    case 'homeassistant':
      return homeAssistantRequest(target, message, ua);
    case 'webhook':
      return webhookRequest(target, message, ua);
  }
}

export async function notifyChanges(targets: readonly NotifyTarget[], diff: ReportDiff, current: ScanReport, options: NotifyOptions = {}): Promise<NotifyOutcome> {
  if (targets.length === 0) return { message: null, results: [] };
  const message = buildNotifyMessage(diff, current, options);
  if (!message) return { message: null, results: [] };
  const send = options.send ?? nodeHttpSend;
  const results = await Promise.all(
    targets.map(async (target): Promise<TargetResult> => {
      const base = { target: target.display, kind: target.kind };
      let req: HttpRequest;
      try {
        req = requestFor(target, message);
        assertRequestSafe(req, options.forbidden ?? []);
      } catch (err) {
        const e = err instanceof NotifyError ? err : new NotifyError('SCAN_ERR_NOTIFY_UNSAFE', 'could not build the notification');
        return { ...base, ok: false, attempts: 0, waits: [], error: { code: e.code, message: e.message } };
      }
      const r = await deliver(send, req, { policy: options.policy, clock: options.clock, signal: options.signal });
      const out: TargetResult = { ...base, ok: r.ok, attempts: r.attempts, waits: r.waits };
      if (r.status !== undefined) out.status = r.status;
      if (r.error) out.error = { code: r.error.code, message: r.error.message };
      return out;
    }),
  );
  return { message, results };
}

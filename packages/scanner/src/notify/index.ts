/** Notifications (issue 6): --notify targets, message building, scrub, bounded delivery. */
export { NotifyError, isNotifyError, type NotifyErrorCode } from './errors.js';
export { parseNotifyUrl, displayTarget } from './targets.js';
export { buildNotifyMessage, isNotifiable, cleanText, NOTIFY_TRIGGER_KINDS, DEFAULT_MAX_CHANGES, MAX_TEXT_BYTES, type BuildMessageOptions } from './message.js';
export { findUnsafe, assertRequestSafe } from './scrub.js';
export { deliver, parseRetryAfter, DEFAULT_RETRY_POLICY, realClock, type RetryPolicy, type RetryClock, type DeliveryResult } from './retry.js';
export { jsonPayload, JSON_PAYLOAD_VERSION, type JsonPayload } from './json-payload.js';
export { ntfyPriority, ntfyTags } from './ntfy.js';
export { nodeHttpSend } from './http.js';
export { notifyChanges, requestFor, type NotifyOptions, type NotifyOutcome, type TargetResult } from './notify.js';
export type { NotifyTarget, NotifyMessage, ChangeItem, HttpRequest, HttpResponse, HttpSend } from './types.js';

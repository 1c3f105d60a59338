/** The JSON document the generic webhook and Home Assistant receive (pure). */
import type { NotifyMessage } from './types.js';

export const JSON_PAYLOAD_VERSION = 1;

export interface JsonPayload {
  payloadVersion: number;
  tool: { name: string; version: string };
  startedAt: string;
  previousStartedAt: string | null;
  incomplete: boolean;
  title: string;
  highestNewSeverity: NotifyMessage['highestNewSeverity'];
  summary: NotifyMessage['summary'];
  changes: NotifyMessage['changes'];
  /** Changes not listed in `changes` ("and N more"). */
  moreChanges: number;
  /** The same content as plain text. */
  message: string;
}

export function jsonPayload(m: NotifyMessage): JsonPayload {
  return {
    payloadVersion: JSON_PAYLOAD_VERSION,
    tool: m.tool,
    startedAt: m.startedAt,
    previousStartedAt: m.previousStartedAt,
    incomplete: m.incomplete,
    title: m.title,
    highestNewSeverity: m.highestNewSeverity,
    summary: m.summary,
    changes: m.changes,
    moreChanges: m.moreChanges,
    message: m.text,
  };
}

export function jsonBody(m: NotifyMessage): Buffer {
  return Buffer.from(JSON.stringify(jsonPayload(m)), 'utf8');
}

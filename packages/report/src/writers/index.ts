import { ReportError } from '../errors.js';
import { jsonWriter } from './json.js';
import { tableWriter } from './table.js';
import type { ReportWriter } from './types.js';

export type { ReportWriter } from './types.js';
export { writeChunk } from './types.js';
export { jsonWriter, renderJson, toJsonObject } from './json.js';
export { createTableWriter, renderTable, tableWriter } from './table.js';
export type { TableWriterOptions } from './table.js';

/** Every built-in format. The CLI's `--format` accepts exactly these keys. */
export const writers = {
  json: jsonWriter,
  table: tableWriter,
} as const satisfies Record<string, ReportWriter>;

export type Format = keyof typeof writers;

export function isFormat(name: unknown): name is Format {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(writers, name);
}

/** The writer for a format name; `REPORT_ERR_UNKNOWN_FORMAT` for anything else. */
export function getWriter(name: string): ReportWriter {
  if (!isFormat(name)) {
    throw new ReportError('REPORT_ERR_UNKNOWN_FORMAT', `unknown report format ${JSON.stringify(String(name).slice(0, 40))}; expected one of ${Object.keys(writers).join(', ')}`);
  }
  return writers[name];
}

import { ReportError } from '../errors.js';
import { htmlWriter } from './html.js';
import { jsonWriter } from './json.js';
import { markdownWriter } from './markdown.js';
import { createSarifWriter, sarifWriter, type SarifWriterOptions } from './sarif.js';
import { createTableWriter, tableWriter, type TableWriterOptions } from './table.js';
import type { ReportWriter } from './types.js';

export type { ReportWriter } from './types.js';
export { writeChunk } from './types.js';
export { jsonWriter, renderJson, toJsonObject } from './json.js';
export { createTableWriter, renderTable, tableWriter } from './table.js';
export type { TableWriterOptions } from './table.js';
export { escapeHtml, HTML_CSP, htmlWriter, renderHtml } from './html.js';
export { escapeMarkdown, markdownWriter, renderMarkdown } from './markdown.js';
export { createSarifWriter, deviceUri, renderSarif, SARIF_SCHEMA_URI, sarifWriter, toSarif } from './sarif.js';
export type { SarifWriterOptions } from './sarif.js';

/** Every built-in format. The CLI's `--format` accepts exactly these keys. */
export const writers = {
  table: tableWriter,
  json: jsonWriter,
  html: htmlWriter,
  markdown: markdownWriter,
  sarif: sarifWriter,
} as const satisfies Record<string, ReportWriter>;

export type Format = keyof typeof writers;

/** Options each format's factory takes (formats without options take none). */
export interface WriterOptionsMap {
  table: TableWriterOptions;
  json: Record<string, never>;
  html: Record<string, never>;
  markdown: Record<string, never>;
  sarif: SarifWriterOptions;
}

/** File extension per format, for `--output-dir` (`report.<ext>`). */
export const FORMAT_EXTENSIONS: Readonly<Record<Format, string>> = {
  table: 'txt',
  json: 'json',
  html: 'html',
  markdown: 'md',
  sarif: 'sarif',
};

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

/**
 * A writer for a format with its options (`table` colour/width, `sarif` rules).
 * @example createWriter('sarif', { rules: builtinChecks.map((c) => c.meta) })
 */
export function createWriter<F extends Format>(format: F, options?: WriterOptionsMap[F]): ReportWriter {
  if (!isFormat(format)) return getWriter(format);
  if (options === undefined) return writers[format];
  if (format === 'table') return createTableWriter(options as TableWriterOptions);
  if (format === 'sarif') return createSarifWriter(options as SarifWriterOptions);
  return writers[format];
}

// Redaction is the writers' companion (redact.ts); re-exported here so the barrel's
// `export * from './writers/index.js'` carries it until index.ts lists redact.js itself.
export { findRawSecrets, maskSecret, REDACTED_HEX, redactReport, revealSecrets, secretsForDevice } from '../redact.js';

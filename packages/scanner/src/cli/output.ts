/**
 * Scan output step: which writers run and where their bytes go (`--format`, `--output`,
 * `--output-dir`, `--json`, `--show-secrets`). Owned by the reports work (issue 5): writers live in
 * @xmscan/report; choosing stdout or a file is here. Files are written atomically, mode 0600
 * (atomic-file.ts).
 *
 * Rules (also in --help):
 * - `--format F` is repeatable. `--output FILE` pairs with the --format at the same position
 *   (`--format json --output a.json --format html --output b.html`); `-` means stdout. With no
 *   --format at all, each --output's extension picks the format (.json .html .md .sarif .txt).
 * - `--output-dir DIR` writes `DIR/report.<ext>` for each --format (json, html, md, sarif, txt).
 * - No --output/--output-dir: the format goes to stdout. At most one format may go to stdout.
 * - `--json` = `--format json` on stdout (kept for scripts).
 * - Default: `table` on stdout, terminal or not (colour only on a TTY and never with NO_COLOR), so
 *   a cron job's mail is readable; scripts ask for `--json`.
 */
import { mkdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { builtinChecks } from '@xmscan/miio-probe';
import {
  createWriter,
  FORMAT_EXTENSIONS,
  isFormat,
  redactReport,
  revealSecrets,
  writers,
  type DeviceSecrets,
  type Format,
  type ReportWriter,
  type ScanReport,
} from '@xmscan/report';
import { writeFileAtomic } from './atomic-file.js';

export interface OutputFlags {
  json?: boolean;
  format?: Format[];
  output?: string[];
  outputDir?: string;
  showSecrets?: boolean;
}

/** One report to produce: a format and a file path, or null for stdout. */
export interface OutputTarget {
  format: Format;
  path: string | null;
}

export type OutputErrorCode = 'SCAN_ERR_BAD_OUTPUT' | 'SCAN_ERR_OUTPUT_WRITE';

/** Bad output flags (exit 2, before anything is sent) or a result file that could not be written. */
export class OutputError extends Error {
  readonly code: OutputErrorCode;
  constructor(code: OutputErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutputError';
    this.code = code;
  }
}

const FORMATS = Object.keys(writers) as Format[];

const BY_EXTENSION: Readonly<Record<string, Format>> = {
  '.json': 'json',
  '.html': 'html',
  '.htm': 'html',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.sarif': 'sarif',
  '.txt': 'table',
};

function parseFormat(value: string, previous: Format[] = []): Format[] {
  const v = value.trim().toLowerCase();
  if (!isFormat(v)) throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`);
  return [...previous, v];
}

const collectPath = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addOutputOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--format <format>', `report format (repeatable): ${FORMATS.join(', ')}. Default: table on stdout, also when stdout is not a terminal (cron mail stays readable; colour only on a TTY, never with NO_COLOR)`)
        .argParser(parseFormat),
    )
    .option('--output <file>', 'write the report to FILE (repeatable: the Nth --output takes the Nth --format; "-" = stdout). Without --format the extension picks it: .json .html .md .sarif .txt. Written atomically, mode 0600', collectPath)
    .option('--output-dir <dir>', 'write DIR/report.<ext> for each --format (report.json, report.html, report.md, report.sarif, report.txt); created if missing')
    .option('--json', 'same as --format json on stdout: exactly one JSON document (the report schema)')
    .option('--show-secrets', 'put tokens, Wi-Fi SSID/BSSID and router serials in clear into the outputs (the report then says secretsShown: true and shows a banner). Default: fingerprints and masks only')
    .addHelpText(
      'after',
      `
Reports (--format, repeatable; formats: ${FORMATS.join(', ')}):
  --format html --output report.html                       one file (self-contained, opens offline)
  --format json --output a.json --format sarif --output b.sarif   the Nth --output takes the Nth --format
  --output-dir /var/lib/xmscan --format json --format html  writes report.json and report.html there
  --format markdown                                        one format on stdout (only one may go there)
  Default: the table on stdout, also when stdout is not a terminal, so a cron mail stays readable;
  scripts use --json (= --format json on stdout). Files are replaced atomically, mode 0600.
  Reports are redacted (token fingerprints, masked SSID/BSSID/serials) unless --show-secrets.`,
    );
}

/**
 * Turn the flags into targets, or throw `SCAN_ERR_BAD_OUTPUT`. Pure; call it before the scan so a
 * usage error costs nothing.
 */
export function planOutputs(flags: OutputFlags): OutputTarget[] {
  const formats = flags.format ?? [];
  const outputs = flags.output ?? [];
  const bad = (msg: string): never => {
    throw new OutputError('SCAN_ERR_BAD_OUTPUT', msg);
  };
  let targets: OutputTarget[] = [];
  if (flags.outputDir !== undefined) {
    if (outputs.length > 0) bad('use either --output FILE (per --format) or --output-dir DIR, not both');
    if (formats.length === 0) bad('--output-dir needs at least one --format (it writes report.<ext> for each)');
    const dir = resolve(flags.outputDir);
    targets = formats.map((format) => ({ format, path: join(dir, `report.${FORMAT_EXTENSIONS[format]}`) }));
  } else if (outputs.length > 0) {
    if (formats.length > 0 && formats.length !== outputs.length) {
      bad(`${formats.length} --format but ${outputs.length} --output: give one --output per --format, in the same order (or use --output-dir)`);
    }
    targets = outputs.map((out, i) => {
      let format = formats[i];
      if (format === undefined) {
        format = BY_EXTENSION[extname(out).toLowerCase()];
        if (format === undefined) bad(`cannot tell the format of ${JSON.stringify(out)} from its extension; add --format`);
      }
      return { format: format as Format, path: out === '-' ? null : resolve(out) };
    });
  } else {
    targets = formats.map((format) => ({ format, path: null }));
  }
  if (flags.json) targets.push({ format: 'json', path: null });
  if (targets.length === 0) targets.push({ format: 'table', path: null });

  // `--json --format json` asks twice for the same thing: once is enough.
  const seen = new Set<string>();
  targets = targets.filter((t) => {
    const k = `${t.format}\u0000${t.path ?? '-'}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const stdout = targets.filter((t) => t.path === null);
  if (stdout.length > 1) bad(`only one format can go to stdout (asked for ${stdout.map((t) => t.format).join(', ')}); give the others an --output FILE or use --output-dir`);
  const paths = targets.flatMap((t) => (t.path !== null ? [t.path] : []));
  const dup = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dup !== undefined) bad(`two reports would be written to the same file ${JSON.stringify(dup)}`);
  return targets;
}

/** Collects a writer's output for a file (no TTY: no colour; table width 100). */
class StringSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    cb();
  }
}

export interface WriteOutputsOptions {
  /** Raw secrets from scan(); passed only with --show-secrets. Without them the report is redacted. */
  secrets?: readonly DeviceSecrets[];
  /** Where stdout goes (tests). Default `process.stdout`. */
  stdout?: Writable;
  /** Targets from `planOutputs` (computed again from the flags when absent). */
  targets?: readonly OutputTarget[];
}

function writerFor(format: Format, toFile: boolean): ReportWriter {
  if (format === 'sarif') return createWriter('sarif', { rules: builtinChecks.map((c) => c.meta) });
  if (format === 'table' && toFile) return createWriter('table', { color: false });
  return createWriter(format);
}

/**
 * Render the report in every requested format. Without `--show-secrets` the report is passed
 * through `redactReport` first (defence in depth: the scan already masks); with it, the raw values
 * are filled in and the report says `secretsShown: true`. Returns the files written.
 */
export async function writeOutputs(report: ScanReport, flags: OutputFlags, options: WriteOutputsOptions = {}): Promise<string[]> {
  const targets = options.targets ?? planOutputs(flags);
  const final = flags.showSecrets && options.secrets !== undefined ? revealSecrets(report, options.secrets) : redactReport(report, options.secrets);
  const written: string[] = [];
  for (const t of targets) {
    if (t.path === null) {
      await writerFor(t.format, false).write(final, options.stdout ?? process.stdout);
      continue;
    }
    const sink = new StringSink();
    await writerFor(t.format, true).write(final, sink);
    try {
      if (flags.outputDir !== undefined) await mkdir(resolve(flags.outputDir), { recursive: true, mode: 0o700 });
      await writeFileAtomic(t.path, sink.text, { mode: 0o600 });
    } catch (err) {
      const why = (err as { code?: string; message?: string }).code ?? (err as Error).message;
      throw new OutputError('SCAN_ERR_OUTPUT_WRITE', `cannot write the ${t.format} report to ${t.path}: ${why}`, { cause: err });
    }
    written.push(t.path);
  }
  return written;
}

/**
 * CLI logging: pino to stderr only (stdout is reserved for the table or the one JSON document).
 * `--log-format json` (default, one object per line) or `pretty` (pino-pretty, for humans).
 * Every secret-bearing field is redacted by path, whatever the caller put there: tokens never reach a log
 * (style.md §7), and neither do SSIDs, BSSIDs, serials or passwords.
 */
import { Option, type Command } from 'commander';
import { pino, type Logger as PinoLogger } from 'pino';
import { createRequire } from 'node:module';

// pino-pretty loads only for `--log-format pretty`: its import costs ~40 ms (~120 ms on a loaded machine) of
// every start-up with the default JSON logs (issue 7, docs/benchmarks.md).
const requireLazy = createRequire(import.meta.url);
const pretty = (...args: Parameters<typeof import('pino-pretty')>) => (requireLazy('pino-pretty') as typeof import('pino-pretty'))(...args);

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Field names that may carry a secret, at any of the first three nesting levels. */
export const SECRET_KEYS = [
  'token',
  'tokens',
  'tokenHex',
  'key',
  'iv',
  'password',
  'passwd',
  'secret',
  'secrets',
  'serial',
  'routerSerial',
  'ssid',
  'bssid',
  'wifiSsid',
  'wifiBssid',
  'authorization',
  'cookie',
  'webhook',
  'webhookUrl',
  'smtpPassword',
] as const;

export function redactPaths(keys: readonly string[] = SECRET_KEYS): string[] {
  const out: string[] = [];
  for (const k of keys) out.push(k, `*.${k}`, `*.*.${k}`);
  return out;
}

export const REDACTED = '[redacted]';

/** `from: "a.b.c.d:port"` (junk-datagram lines) also gets `ip`, so every device-related line can be filtered by address. */
function withIp(obj: Record<string, unknown>): Record<string, unknown> {
  if (obj['ip'] === undefined && typeof obj['from'] === 'string') {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/.exec(obj['from']);
    if (m) return { ...obj, ip: m[1] };
  }
  return obj;
}

export interface CliLoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Tests: where the lines go (default: fd 2, synchronously, so nothing is lost on exit). */
  destination?: NodeJS.WritableStream;
  /** pino-pretty colours (default: stderr is a TTY). */
  colorize?: boolean;
}

export function createCliLogger(levelOrOptions: string | CliLoggerOptions = 'warn'): PinoLogger {
  const o: CliLoggerOptions = typeof levelOrOptions === 'string' ? { level: levelOrOptions } : levelOrOptions;
  const options = {
    level: o.level ?? 'warn',
    base: undefined,
    redact: { paths: redactPaths(), censor: REDACTED },
    formatters: { log: withIp },
  };
  if (o.format === 'pretty') {
    const stream = pretty({
      destination: (o.destination as never) ?? 2,
      sync: true,
      colorize: o.colorize ?? process.stderr.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
    return pino(options, stream);
  }
  return pino(options, o.destination ?? pino.destination({ dest: 2, sync: true }));
}

/** `--log-format` (commands that already have `--log-level`, and new ones). */
export function addLogFormatOption(cmd: Command): Command {
  return cmd.addOption(new Option('--log-format <format>', 'stderr log format').choices([...LOG_FORMATS]).default('json'));
}

export function addLogLevelOption(cmd: Command, defaultLevel = 'warn'): Command {
  return cmd.addOption(new Option('--log-level <level>', 'stderr log level').choices([...LOG_LEVELS]).default(defaultLevel));
}

/**
 * `--quiet` (unattended runs: cron, the systemd timer) caps logging at `error` unless `--log-level` was
 * given explicitly (on the command line, in the environment or in the config file).
 */
export function effectiveLogLevel(cmd: Command, flags: { logLevel?: string; quiet?: boolean }): string {
  const level = flags.logLevel ?? 'warn';
  if (!flags.quiet) return level;
  const source = cmd.getOptionValueSource('logLevel');
  return source === undefined || source === 'default' ? 'error' : level;
}

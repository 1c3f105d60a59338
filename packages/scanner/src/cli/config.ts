/**
 * Config file and `XMSCAN_*` environment for every CLI option, generically over commander: a
 * preAction hook walks the registered options of the command about to run and fills each one the
 * command line did not set, from the environment first, then the file. Options other modules add later
 * are covered without touching this file.
 *
 * Precedence: flag > env > file (command section > top level) > default.
 *
 * File: `--config FILE`, else `$XMSCAN_CONFIG`, else `$XDG_CONFIG_HOME/xmscan/config.(json|yaml|yml)`
 * (`~/.config` when XDG_CONFIG_HOME is unset). Keys are option names in camelCase or kebab-case
 * (`logLevel` / `log-level`); a key that is a command name holds that command's options:
 *
 *   { "logLevel": "info", "scan": { "tokens": ["~/tokens.json"], "timeout": 3000 } }
 *
 * Top-level keys apply to every command that has the option. Any key that names no option of any
 * command (or, in a section, no option of that command) is an error naming the key (exit 2).
 *
 * Env: `XMSCAN_<OPTION>` in UPPER_SNAKE (`XMSCAN_LOG_LEVEL=debug`, `XMSCAN_ALLOW_LARGE=1`); a
 * repeatable option takes a comma-separated list (`XMSCAN_TARGET=10.0.0.0/24,10.0.1.5`). Unknown
 * `XMSCAN_*` variables are ignored (the environment is shared with other tools and test harnesses).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { createRequire } from 'node:module';
import { collect } from './common.js';

// yaml loads only when a YAML config is read: importing it costs ~40 ms (~110 ms on a loaded machine) of every
// command's start-up, and most runs have no config file (issue 7, docs/benchmarks.md).
const requireLazy = createRequire(import.meta.url);
const parseYaml = (text: string): unknown => (requireLazy('yaml') as typeof import('yaml')).parse(text);

export type ConfigErrorCode = 'SCAN_ERR_CONFIG';

export class ConfigError extends Error {
  readonly code: ConfigErrorCode = 'SCAN_ERR_CONFIG';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

export interface ConfigEnvironment {
  env?: NodeJS.ProcessEnv;
  /** Home directory for the XDG default (tests). */
  home?: string;
}

export type ConfigData = Record<string, unknown>;

/** Options a config file may not set (they describe the run of the CLI itself). */
const NOT_CONFIGURABLE = new Set(['config', 'version', 'help']);

const camel = (key: string) => key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
export const envName = (attribute: string) => `XMSCAN_${attribute.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isRepeatable(opt: Option): boolean {
  return opt.variadic || opt.parseArg === (collect as unknown);
}

/** A boolean switch (`--json`, `--no-color`): no value on the command line. */
function isSwitch(opt: Option): boolean {
  return !opt.required && !opt.optional;
}

/** Where the config file is, or null when there is none (only an explicit path must exist). */
export function locateConfigFile(explicit: string | undefined, cfg: ConfigEnvironment = {}): { path: string; explicit: boolean } | null {
  const env = cfg.env ?? process.env;
  const given = explicit ?? (env['XMSCAN_CONFIG'] || undefined);
  if (given !== undefined) {
    const path = resolve(given);
    if (!existsSync(path)) throw new ConfigError(`config file ${path} does not exist`);
    return { path, explicit: true };
  }
  const base = env['XDG_CONFIG_HOME'] || join(cfg.home ?? homedir(), '.config');
  const found = ['config.json', 'config.yaml', 'config.yml'].map((f) => join(base, 'xmscan', f)).filter((p) => existsSync(p));
  if (found.length > 1) throw new ConfigError(`more than one config file: ${found.join(', ')} (keep one)`);
  return found[0] ? { path: found[0], explicit: false } : null;
}

export function loadConfigFile(path: string): ConfigData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} does not parse: ${(err as Error).message}`, { cause: err });
  }
  if (data === null || data === undefined) return {};
  if (!isRecord(data)) throw new ConfigError(`config file ${path}: the top level must be a mapping of option names`);
  return data;
}

function optionsByAttribute(cmd: Command): Map<string, Option> {
  const m = new Map<string, Option>();
  for (const o of cmd.options) {
    const a = o.attributeName();
    if (NOT_CONFIGURABLE.has(a)) continue;
    // `--foo` and `--no-foo` share an attribute: prefer the positive one for its description of the value.
    if (!m.has(a) || !o.negate) m.set(a, o);
  }
  return m;
}

/** Check every key against the registered options; throws ConfigError naming the first unknown key. */
export function validateConfig(data: ConfigData, program: Command, where = 'config'): void {
  const commands = new Map(program.commands.map((c) => [c.name(), c]));
  const anyOption = new Set<string>([...optionsByAttribute(program).keys()]);
  for (const c of program.commands) for (const a of optionsByAttribute(c).keys()) anyOption.add(a);
  for (const [rawKey, value] of Object.entries(data)) {
    const section = commands.get(rawKey);
    if (section !== undefined) {
      if (!isRecord(value)) throw new ConfigError(`${where}: "${rawKey}" must be a mapping of ${rawKey} options`);
      const own = optionsByAttribute(section);
      for (const k of Object.keys(value)) {
        if (!own.has(camel(k))) throw new ConfigError(`${where}: unknown key "${rawKey}.${k}" (not an option of xmscan ${rawKey})`);
      }
      continue;
    }
    const key = camel(rawKey);
    if (NOT_CONFIGURABLE.has(key)) throw new ConfigError(`${where}: key "${rawKey}" cannot be set in a config file`);
    if (!anyOption.has(key)) throw new ConfigError(`${where}: unknown key "${rawKey}" (not an option of any xmscan command)`);
  }
}

function parseBool(raw: string): boolean | null {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  return null;
}

function applyParser(opt: Option, raw: string, previous: unknown, origin: string): unknown {
  if (typeof opt.parseArg !== 'function') return raw;
  try {
    return opt.parseArg(raw, previous);
  } catch (err) {
    // The value is quoted only for choice lists: other values may be secrets (a webhook URL, a password).
    const shown = opt.argChoices ? ` "${raw.slice(0, 40)}"` : '';
    throw new ConfigError(`${origin}:${shown} ${(err as Error).message}`, { cause: err });
  }
}

/** An environment string as the option's value. */
export function valueFromEnv(opt: Option, raw: string, origin: string): unknown {
  if (isSwitch(opt)) {
    const b = parseBool(raw.trim());
    if (b === null) throw new ConfigError(`${origin}: expected true/false, 1/0, yes/no or on/off, got "${raw}"`);
    return b;
  }
  if (opt.optional && /^(true|yes|on)$/i.test(raw.trim())) return true;
  if (isRepeatable(opt)) {
    let acc: unknown = undefined;
    for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) acc = applyParser(opt, part, acc, origin);
    return acc;
  }
  return applyParser(opt, raw, opt.defaultValue, origin);
}

/** A config-file value (JSON / YAML types) as the option's value. */
export function valueFromFile(opt: Option, value: unknown, origin: string): unknown {
  if (isSwitch(opt)) {
    if (typeof value !== 'boolean') throw new ConfigError(`${origin}: expected true or false`);
    return value;
  }
  if (opt.optional && typeof value === 'boolean') return value;
  const scalar = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    throw new ConfigError(`${origin}: expected a string or number, got ${Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v}`);
  };
  if (isRepeatable(opt)) {
    let acc: unknown = undefined;
    for (const v of Array.isArray(value) ? value : [value]) acc = applyParser(opt, scalar(v), acc, origin);
    return acc;
  }
  if (Array.isArray(value)) throw new ConfigError(`${origin}: takes one value, not a list`);
  return applyParser(opt, scalar(value), opt.defaultValue, origin);
}

/**
 * Fill `cmd`'s options the command line left unset: env, then the file's `cmd` section, then its
 * top level. Returns where each filled option came from (tests, `--log-level debug` diagnostics).
 */
export function applyConfig(program: Command, cmd: Command, cfg: ConfigEnvironment = {}): Record<string, string> {
  const env = cfg.env ?? process.env;
  const explicit = cmd.getOptionValueSource('config') === 'cli' ? (cmd.getOptionValue('config') as string) : undefined;
  const located = locateConfigFile(explicit, cfg);
  const data = located ? loadConfigFile(located.path) : {};
  const where = located ? `config ${located.path}` : 'config';
  validateConfig(data, program, where);
  const section: Record<string, unknown> = {};
  const top: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (!program.commands.some((c) => c.name() === k)) top[camel(k)] = v;
  const own = data[cmd.name()];
  if (isRecord(own) && cmd !== program) for (const [k, v] of Object.entries(own)) section[camel(k)] = v;

  const filled: Record<string, string> = {};
  for (const [attr, opt] of optionsByAttribute(cmd)) {
    const source = cmd.getOptionValueSource(attr);
    if (source === 'cli' || source === 'env') continue;
    // `--history <path>` with `--no-history`: false (file) or false/no/off/0 (env) means the negation.
    const negatable = !isSwitch(opt) && cmd.options.some((o) => o.negate && o.attributeName() === attr);
    const name = envName(attr);
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '') {
      const value = negatable && parseBool(fromEnv.trim()) === false ? false : valueFromEnv(opt, fromEnv, `${name}`);
      cmd.setOptionValueWithSource(attr, value, 'env');
      filled[attr] = `env ${name}`;
      continue;
    }
    const fromFile = attr in section ? { v: section[attr], at: `${where}: ${cmd.name()}.${attr}`, label: `${where} (${cmd.name()} section)` } : attr in top ? { v: top[attr], at: `${where}: ${attr}`, label: where } : null;
    if (fromFile !== null) {
      const value = negatable && fromFile.v === false ? false : valueFromFile(opt, fromFile.v, fromFile.at);
      cmd.setOptionValueWithSource(attr, value, 'config');
      filled[attr] = fromFile.label;
    }
  }
  return filled;
}

/**
 * Give every command `--config FILE` and install the hook. Call once, after every command is
 * registered (main.ts).
 */
export function installConfig(program: Command, cfg: ConfigEnvironment = {}): Command {
  for (const c of program.commands) {
    if (!c.options.some((o) => o.long === '--config')) {
      c.option('--config <file>', 'config file (default: $XDG_CONFIG_HOME/xmscan/config.json|yaml); precedence: flag > XMSCAN_* env > file > default');
    }
  }
  program.hook('preAction', (_root, action) => {
    applyConfig(program, action, cfg);
  });
  return program;
}

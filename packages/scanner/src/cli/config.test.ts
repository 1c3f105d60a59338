import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, intOption } from './common.js';
import { ConfigError, envName, installConfig, locateConfigFile } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'xmscan-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(name: string, text: string): string {
  const d = join(dir, String(n++));
  mkdirSync(d, { recursive: true });
  const p = join(d, name);
  writeFileSync(p, text);
  return p;
}

/** A small program shaped like xmscan's: options of each kind, two commands. */
function program(env: NodeJS.ProcessEnv, home = join(dir, 'nohome')) {
  const seen: Record<string, Record<string, unknown>> = {};
  const sources: Record<string, Record<string, string | undefined>> = {};
  const p = new Command('xmscan').exitOverride();
  const scan = p
    .command('scan')
    .option('-t, --target <spec>', 'targets', collect)
    .option('--timeout <ms>', 'window', intOption('--timeout', 50, 600_000), 1500)
    .option('--json', 'json')
    .option('--history <path>', 'db')
    .option('--no-history', 'no db')
    .addOption(new Option('--log-level <level>', 'level').choices(['debug', 'info', 'warn']).default('warn'));
  scan.action((flags: Record<string, unknown>) => {
    seen['scan'] = flags;
    sources['scan'] = Object.fromEntries(Object.keys(flags).map((k) => [k, scan.getOptionValueSource(k)]));
  });
  const demo = p
    .command('demo')
    .option('--html <file>', 'html')
    .addOption(new Option('--log-level <level>', 'level').choices(['debug', 'info', 'warn']).default('warn'));
  demo.action((flags: Record<string, unknown>) => {
    seen['demo'] = flags;
  });
  installConfig(p, { env, home });
  const run = async (...args: string[]) => {
    await p.parseAsync(['node', 'xmscan', ...args]);
    return { seen, sources };
  };
  return run;
}

describe('config precedence: flag > env > file > default', () => {
  const cfg = file('config.yaml', 'logLevel: info\ntimeout: 3000\nscan:\n  timeout: 4000\n  target: [10.0.0.0/24, 10.0.1.5]\n');

  it('default when nothing is set', async () => {
    const { seen, sources } = await program({})('scan');
    expect(seen['scan']).toMatchObject({ timeout: 1500, logLevel: 'warn' });
    expect(sources['scan']!['timeout']).toBe('default');
  });

  it('file beats default; a command section beats the top level; lists become repeatable values', async () => {
    const { seen, sources } = await program({})('scan', '--config', cfg);
    expect(seen['scan']).toMatchObject({ timeout: 4000, logLevel: 'info', target: ['10.0.0.0/24', '10.0.1.5'] });
    expect(sources['scan']!['timeout']).toBe('config');
  });

  it('top-level keys apply to every command that has the option', async () => {
    const { seen } = await program({})('demo', '--config', cfg);
    expect(seen['demo']).toMatchObject({ logLevel: 'info' });
  });

  it('env beats file', async () => {
    const { seen, sources } = await program({ XMSCAN_TIMEOUT: '5000', XMSCAN_TARGET: '192.168.1.0/24, 192.168.2.7' })('scan', '--config', cfg);
    expect(seen['scan']).toMatchObject({ timeout: 5000, target: ['192.168.1.0/24', '192.168.2.7'], logLevel: 'info' });
    expect(sources['scan']!['timeout']).toBe('env');
  });

  it('flag beats env and file', async () => {
    const { seen, sources } = await program({ XMSCAN_TIMEOUT: '5000', XMSCAN_LOG_LEVEL: 'debug' })('scan', '--config', cfg, '--timeout', '6000', '--log-level', 'warn');
    expect(seen['scan']).toMatchObject({ timeout: 6000, logLevel: 'warn' });
    expect(sources['scan']!['timeout']).toBe('cli');
  });

  it('env switches and negations', async () => {
    let r = await program({ XMSCAN_JSON: 'yes', XMSCAN_HISTORY: 'off' })('scan');
    expect(r.seen['scan']).toMatchObject({ json: true, history: false });
    r = await program({ XMSCAN_HISTORY: '/var/lib/x.sqlite' })('scan');
    expect(r.seen['scan']).toMatchObject({ history: '/var/lib/x.sqlite' });
    await expect(program({ XMSCAN_JSON: 'maybe' })('scan')).rejects.toThrow(/XMSCAN_JSON: expected true\/false/);
  });

  it('the XDG default file is read; XMSCAN_CONFIG points elsewhere; kebab-case keys work', async () => {
    const xdg = join(dir, 'xdg');
    mkdirSync(join(xdg, 'xmscan'), { recursive: true });
    writeFileSync(join(xdg, 'xmscan', 'config.json'), JSON.stringify({ 'log-level': 'debug', scan: { json: true } }));
    let r = await program({ XDG_CONFIG_HOME: xdg })('scan');
    expect(r.seen['scan']).toMatchObject({ logLevel: 'debug', json: true });
    r = await program({ XDG_CONFIG_HOME: xdg, XMSCAN_CONFIG: cfg })('scan');
    expect(r.seen['scan']).toMatchObject({ logLevel: 'info', timeout: 4000 });
    expect(r.seen['scan']!['json']).toBeUndefined();
  });

  it('~/.config/xmscan is the default without XDG_CONFIG_HOME', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.config', 'xmscan'), { recursive: true });
    writeFileSync(join(home, '.config', 'xmscan', 'config.yml'), 'json: true\n');
    expect(locateConfigFile(undefined, { env: {}, home })?.path).toBe(join(home, '.config', 'xmscan', 'config.yml'));
    writeFileSync(join(home, '.config', 'xmscan', 'config.json'), '{}');
    expect(() => locateConfigFile(undefined, { env: {}, home })).toThrow(/more than one config file/);
  });

  it('env names are UPPER_SNAKE of the option', () => {
    expect(envName('logLevel')).toBe('XMSCAN_LOG_LEVEL');
    expect(envName('allowPublic')).toBe('XMSCAN_ALLOW_PUBLIC');
    expect(envName('target')).toBe('XMSCAN_TARGET');
  });
});

describe('config errors name the key', () => {
  const expectConfigError = async (p: Promise<unknown>, re: RegExp) => {
    const err = (await p.then(
      () => null,
      (e: unknown) => e,
    )) as ConfigError | null;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.code).toBe('SCAN_ERR_CONFIG');
    expect(err!.message).toMatch(re);
  };

  it('unknown top-level key', async () => {
    const cfg = file('config.yaml', 'timeout: 3000\ntimout: 3000\n');
    await expectConfigError(program({})('scan', '--config', cfg), /unknown key "timout"/);
  });

  it('unknown key in a command section, even if another command has it', async () => {
    const cfg = file('config.yaml', 'demo:\n  timeout: 3000\n');
    await expectConfigError(program({})('scan', '--config', cfg), /unknown key "demo\.timeout" \(not an option of xmscan demo\)/);
  });

  it('unknown keys fail whichever command runs', async () => {
    const cfg = file('config.json', '{"scan": {"bogus": 1}}');
    await expectConfigError(program({})('demo', '--config', cfg), /unknown key "scan\.bogus"/);
  });

  it('bad values name the key and say why', async () => {
    await expectConfigError(program({})('scan', '--config', file('config.yaml', 'scan:\n  timeout: 10\n')), /scan\.timeout: --timeout must be between 50/);
    await expectConfigError(program({})('scan', '--config', file('config.yaml', 'logLevel: loud\n')), /logLevel: .*loud/);
    await expectConfigError(program({})('scan', '--config', file('config.yaml', 'json: "yes"\n')), /json: expected true or false/);
    await expectConfigError(program({})('scan', '--config', file('config.yaml', 'scan: {timeout: [1, 2]}\n')), /takes one value, not a list/);
    await expectConfigError(program({ XMSCAN_TIMEOUT: 'soon' })('scan'), /XMSCAN_TIMEOUT: --timeout must be an integer/);
  });

  it('files that do not parse, are not mappings, or do not exist', async () => {
    await expectConfigError(program({})('scan', '--config', file('config.json', '{"a":')), /does not parse/);
    await expectConfigError(program({})('scan', '--config', file('config.yaml', '- a\n- b\n')), /top level must be a mapping/);
    await expectConfigError(program({})('scan', '--config', join(dir, 'missing.yaml')), /does not exist/);
    await expectConfigError(program({})('scan', '--config', file('config.yaml', 'config: other.yaml\n')), /"config" cannot be set in a config file/);
  });

  it('unknown XMSCAN_* variables are ignored (shared environment)', async () => {
    const { seen } = await program({ XMSCAN_ISOLATED: '1', XMSCAN_SOMETHING: 'x' })('scan');
    expect(seen['scan']).toMatchObject({ timeout: 1500 });
  });
});

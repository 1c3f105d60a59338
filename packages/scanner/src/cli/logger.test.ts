import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addLogFormatOption, addLogLevelOption, createCliLogger, effectiveLogLevel, REDACTED } from './logger.js';

function capture(format: 'json' | 'pretty' = 'json') {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  const logger = createCliLogger({ level: 'debug', format, destination: out, colorize: false });
  return { logger, text: () => chunks.join('') };
}

describe('createCliLogger', () => {
  it('redacts secret-bearing fields at any of three levels', () => {
    const { logger, text } = capture();
    const hex = '00112233445566778899aabbccddeeff';
    logger.warn(
      {
        ip: '192.168.1.5',
        token: hex,
        tokens: [hex],
        key: hex,
        password: 'hunter2',
        serial: '36418/J1V123',
        device: { ssid: 'MyHomeWifi', bssid: 'AA:BB:CC:DD:EE:FF', extras: { wifiSsid: 'MyHomeWifi', routerSerial: '36418/J1V123' } },
        secrets: { token: hex },
        webhookUrl: 'https://hooks.example/secret-path',
      },
      'device line',
    );
    const t = text();
    for (const secret of [hex, 'hunter2', 'J1V123', 'MyHomeWifi', 'AA:BB:CC:DD:EE:FF', 'secret-path']) expect(t).not.toContain(secret);
    const line = JSON.parse(t) as Record<string, unknown>;
    expect(line['token']).toBe(REDACTED);
    expect((line['device'] as Record<string, unknown>)['ssid']).toBe(REDACTED);
    expect(line['ip']).toBe('192.168.1.5');
  });

  it('adds ip from a from:"a.b.c.d:port" field (junk-datagram lines)', () => {
    const { logger, text } = capture();
    logger.warn({ from: '10.0.0.7:54321', bytes: 3 }, 'junk hello reply ignored');
    logger.warn({ from: 'not-an-ip' }, 'x');
    const [a, b] = text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a!['ip']).toBe('10.0.0.7');
    expect(b!['ip']).toBeUndefined();
  });

  it('pretty format is human text, still redacted, on the given stream', () => {
    const { logger, text } = capture('pretty');
    logger.info({ ip: '10.0.0.8', token: 'deadbeefdeadbeefdeadbeefdeadbeef' }, 'hello');
    const t = text();
    expect(t).toMatch(/INFO.*hello/);
    expect(t).toContain('10.0.0.8');
    expect(t).not.toContain('deadbeef');
    expect(() => JSON.parse(t)).toThrow();
  });
});

describe('options', () => {
  it('--log-format choices and --quiet capping the level unless --log-level was given', async () => {
    const make = () => {
      const c = new Command('x').exitOverride().option('-q, --quiet');
      addLogLevelOption(c);
      addLogFormatOption(c);
      let flags: Record<string, unknown> = {};
      c.action((f: Record<string, unknown>) => {
        flags = f;
      });
      return { c, get: () => flags };
    };
    let m = make();
    await m.c.parseAsync(['node', 'x', '--quiet']);
    expect(effectiveLogLevel(m.c, m.get())).toBe('error');
    expect(m.get()['logFormat']).toBe('json');
    m = make();
    await m.c.parseAsync(['node', 'x', '--quiet', '--log-level', 'debug', '--log-format', 'pretty']);
    expect(effectiveLogLevel(m.c, m.get())).toBe('debug');
    expect(m.get()['logFormat']).toBe('pretty');
    m = make();
    await m.c.parseAsync(['node', 'x']);
    expect(effectiveLogLevel(m.c, m.get())).toBe('warn');
    m = make();
    m.c.configureOutput({ writeErr: () => undefined });
    await expect(m.c.parseAsync(['node', 'x', '--log-format', 'xml'])).rejects.toThrow();
  });
});

import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceSecrets, ScanReport } from '@xmscan/report';
import { writeFileAtomic } from './atomic-file.js';
import { addOutputOptions, planOutputs, writeOutputs, type OutputFlags } from './output.js';

const sample = (): ScanReport =>
  JSON.parse(readFileSync(new URL('../../../report/src/__fixtures__/report-v1.sample.json', import.meta.url), 'utf8')) as ScanReport;

const TOKEN = '00112233445566778899aabbccddeeff';
const secrets: DeviceSecrets[] = [{ ip: '192.168.1.9', deviceId: '42', mac: null, token: TOKEN }];

class Sink extends Writable {
  text = '';
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += c.toString('utf8');
    cb();
  }
}

/** Parse argv the way `xmscan scan` does, returning the output flags. */
function flagsOf(...argv: string[]): OutputFlags {
  const cmd = addOutputOptions(new Command('scan').exitOverride().configureOutput({ writeErr: () => undefined }));
  cmd.parse(argv, { from: 'user' });
  return cmd.opts<OutputFlags>();
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xmscan-out-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('planOutputs', () => {
  it('defaults to table on stdout', () => {
    expect(planOutputs(flagsOf())).toEqual([{ format: 'table', path: null }]);
  });

  it('--json is json on stdout; --json with --format json once', () => {
    expect(planOutputs(flagsOf('--json'))).toEqual([{ format: 'json', path: null }]);
    expect(planOutputs(flagsOf('--json', '--format', 'json'))).toEqual([{ format: 'json', path: null }]);
  });

  it('pairs the Nth --output with the Nth --format', () => {
    const t = planOutputs(flagsOf('--format', 'json', '--output', join(dir, 'a.json'), '--format', 'html', '--output', join(dir, 'b.html')));
    expect(t).toEqual([
      { format: 'json', path: join(dir, 'a.json') },
      { format: 'html', path: join(dir, 'b.html') },
    ]);
  });

  it('infers formats from extensions when no --format is given; "-" is stdout', () => {
    const t = planOutputs(flagsOf('--output', join(dir, 'r.sarif'), '--output', join(dir, 'r.md'), '--output', join(dir, 'x.txt')));
    expect(t.map((x) => x.format)).toEqual(['sarif', 'markdown', 'table']);
    expect(planOutputs(flagsOf('--format', 'json', '--output', '-'))).toEqual([{ format: 'json', path: null }]);
  });

  it('--output-dir writes report.<ext> per format', () => {
    const t = planOutputs(flagsOf('--output-dir', dir, '--format', 'json', '--format', 'html', '--format', 'markdown', '--format', 'sarif', '--format', 'table'));
    expect(t.map((x) => x.path)).toEqual(['report.json', 'report.html', 'report.md', 'report.sarif', 'report.txt'].map((f) => join(dir, f)));
  });

  it.each([
    [['--format', 'json', '--format', 'html'], /only one format can go to stdout/],
    [['--json', '--format', 'html'], /only one format can go to stdout/],
    [['--format', 'json', '--format', 'html', '--output', 'a.json'], /1 --output/],
    [['--output', 'report.xml'], /extension/],
    [['--output-dir', '/tmp/x'], /needs at least one --format/],
    [['--output-dir', '/tmp/x', '--format', 'json', '--output', 'a.json'], /not both/],
    [['--format', 'json', '--output', 'same.out', '--format', 'html', '--output', 'same.out'], /same file/],
  ])('rejects %j', (argv, message) => {
    expect(() => planOutputs(flagsOf(...argv))).toThrowError(expect.objectContaining({ code: 'SCAN_ERR_BAD_OUTPUT', message: expect.stringMatching(message) }));
  });

  it('rejects an unknown --format at parse time', () => {
    expect(() => flagsOf('--format', 'xml')).toThrow(/expected one of table, json, html, markdown, sarif/);
  });
});

describe('writeOutputs', () => {
  it('writes every format to the output dir, mode 0600, no temp file left', async () => {
    const flags = flagsOf('--output-dir', join(dir, 'out'), '--format', 'json', '--format', 'html', '--format', 'markdown', '--format', 'sarif', '--format', 'table');
    const stdout = new Sink();
    const written = await writeOutputs(sample(), flags, { stdout });
    expect(written).toHaveLength(5);
    expect(stdout.text).toBe('');
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['report.html', 'report.json', 'report.md', 'report.sarif', 'report.txt']);
    for (const f of written) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'))).toMatchObject({ schemaVersion: 1 });
    // A file gets no colour.
    expect(readFileSync(join(dir, 'out', 'report.txt'), 'utf8')).not.toContain('\u001b[');
    // SARIF rules carry the registry's metadata (full description), not just what findings say.
    const sarif = JSON.parse(readFileSync(join(dir, 'out', 'report.sarif'), 'utf8')) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; fullDescription?: unknown }> } } }> };
    expect(sarif.runs[0]?.tool.driver.rules.find((r) => r.id === 'miio-token-exposed')?.fullDescription).toBeDefined();
  });

  it('is redacted by default, even when given secrets without --show-secrets', async () => {
    const stdout = new Sink();
    await writeOutputs(sample(), flagsOf('--json'), { stdout, secrets });
    expect(stdout.text).not.toContain(TOKEN);
    expect(JSON.parse(stdout.text)).not.toHaveProperty('secretsShown');
  });

  it('--show-secrets puts the token in and says so', async () => {
    const stdout = new Sink();
    const file = join(dir, 'r.md');
    await writeOutputs(sample(), flagsOf('--show-secrets', '--json', '--output', file), { stdout, secrets });
    const json = JSON.parse(stdout.text) as { secretsShown?: boolean; devices: Array<{ token: { value?: string } }> };
    expect(json.secretsShown).toBe(true);
    expect(json.devices[0]?.token.value).toBe(TOKEN);
    expect(readFileSync(file, 'utf8')).toContain('**Secrets shown:**');
  });

  it('a file that cannot be written is SCAN_ERR_OUTPUT_WRITE', async () => {
    const target = join(dir, 'missing-dir', 'r.json');
    await expect(writeOutputs(sample(), flagsOf('--output', target), { stdout: new Sink() })).rejects.toMatchObject({ code: 'SCAN_ERR_OUTPUT_WRITE' });
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole with mode 0600, even over a 0644 file', async () => {
    const f = join(dir, 'r.json');
    writeFileSync(f, 'old');
    chmodSync(f, 0o644);
    await writeFileAtomic(f, 'new content');
    expect(readFileSync(f, 'utf8')).toBe('new content');
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['r.json']);
  });

  it('removes its temp file when the rename fails', async () => {
    const target = join(dir, 'a-directory');
    rmSync(target, { force: true });
    // Renaming a file over a non-empty directory fails (EISDIR/ENOTEMPTY).
    mkdirSync(join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['a-directory']);
  });
});

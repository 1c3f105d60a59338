/**
 * Issue 8, secret hygiene: one end-to-end sweep. The built CLI scans the simulator's `demo` home on
 * loopback with the users' tokens, through every output the tool has: stdout, stderr at
 * `--log-level trace` in both log formats, every report writer (json, table, html, markdown, sarif), the
 * history database (raw bytes of the file and its -wal/-shm), the `history` and `diff` commands, a
 * notification received by a local HTTP server, and the error messages of broken token files. No
 * simulator token may appear anywhere, as hex (either case), base64/base64url or raw bytes; the
 * router serial neither. Then `--show-secrets`: the token does appear in the requested report
 * (proving the search can see it) and still not in the history nor in the notification.
 * Result files and the history database are mode 0600.
 * Runs only in an isolated network namespace (`pnpm test` as root): the scan multicasts.
 */
import { createServer, type Server } from 'node:http';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_EXTENSIONS, writers, type Format } from '@xmscan/report';
import { loadProfiles, startSimulator, type RunningSimulator } from '@xmscan/simulator';
import { homeAssistantTokens, type ManifestLike } from '../integration/scan-support.js';
import { BUILT, findSecretBytes, isolated, plainNeedle, tokenNeedle, xmscan, type CliRun, type Needle, type SecretHit } from './support.js';

const why = !isolated ? 'needs an isolated network namespace (pnpm test as root)' : !BUILT ? 'scanner not built' : null;
// Every writer the report package has (a format added later is swept too).
const FORMATS = (Object.keys(writers) as Format[]).map((f) => [f, FORMAT_EXTENSIONS[f]] as const);

interface Received {
  url: string;
  headers: string;
  body: string;
}

describe.skipIf(why !== null)(`secret hygiene sweep${why ? ` (skipped: ${why})` : ''}`, () => {
  let sim: RunningSimulator;
  let server: Server;
  let hookUrl = '';
  const received: Received[] = [];
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  let needles: Needle[] = [];
  let manifest: ManifestLike[] = [];
  /** Everything a redacted run produced: name → bytes. */
  const haystacks = new Map<string, Buffer>();
  const runs: Record<string, CliRun> = {};
  let shown: { files: Map<string, Buffer>; stdout: string } = { files: new Map(), stdout: '' };
  const files = (p: string) => join(dir, p);
  const base = () => ['--target', '127.0.0.0/24', '--lock-file', files('scan.lock')];
  /** Every notifier kind, all to the local receiver: generic webhook, Home Assistant, ntfy (with an access token in the URL). */
  const notifyAll = () => {
    const u = new URL(hookUrl);
    return ['--notify', hookUrl, '--notify', `ha+http://${u.host}/api/webhook/xmscan`, '--notify', `ntfy+http://:tk_localtest@${u.host}/xmscan-topic`];
  };

  const addFile = (label: string, path: string) => {
    if (existsSync(path)) haystacks.set(label, readFileSync(path));
  };
  const addRun = (label: string, r: CliRun) => {
    runs[label] = r;
    haystacks.set(`${label}:stdout`, Buffer.from(r.stdout));
    haystacks.set(`${label}:stderr`, Buffer.from(r.stderr));
  };

  beforeAll(async () => {
    sim = await startSimulator({ profiles: 'demo', loopbackMulticast: true });
    manifest = sim.manifest.devices as unknown as ManifestLike[];
    const serials = (loadProfiles('demo').devices as unknown as { router?: { serial?: string } }[])
      .map((d) => d.router?.serial)
      .filter((s): s is string => typeof s === 'string');
    needles = [...manifest.map((d) => tokenNeedle(`token ${d.name}`, d.token)), ...serials.map((s) => plainNeedle('router serial', s))];

    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: JSON.stringify(req.headers), body });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    hookUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hook`;

    dir = mkdtempSync(join(tmpdir(), 'xmscan-secrets-'));
    mkdirSync(files('home'));
    env = { ...process.env, HOME: files('home'), XDG_DATA_HOME: files('data'), XDG_CONFIG_HOME: files('config'), XDG_RUNTIME_DIR: files('run'), NO_COLOR: '1' };
    for (const k of Object.keys(env)) if (k.startsWith('XMSCAN_') && k !== 'XMSCAN_ISOLATED' && k !== 'XMSCAN_TESTS_BUILT' && k !== 'XMSCAN_SIM_LOG_DIR') delete env[k];
    writeFileSync(files('ha.json'), homeAssistantTokens(manifest));
    writeFileSync(files('tokens.json'), JSON.stringify(manifest.filter((d) => d.port !== null).map((d) => ({ did: String(d.did), token: d.token, ip: d.address }))));

    // 1. Every report format to files, trace logs as JSON, history, a notification (first scan: all new).
    const out: string[] = [];
    for (const [f, ext] of FORMATS) out.push('--format', f, '--output', files(`report.${ext}`));
    addRun(
      'scan-files',
      await xmscan(['scan', ...base(), '--tokens', files('ha.json'), '--log-level', 'trace', '--log-format', 'json', ...out, '--history', files('h.sqlite'), ...notifyAll()], { env }),
    );
    for (const [, ext] of FORMATS) addFile(`report.${ext}`, files(`report.${ext}`));
    // 2. JSON on stdout, pretty trace logs, same history (a second scan: the diff path runs).
    addRun('scan-json', await xmscan(['scan', ...base(), '--tokens', files('tokens.json'), '--json', '--log-level', 'trace', '--log-format', 'pretty', '--history', files('h.sqlite'), '--notify', hookUrl], { env }));
    // 3. The default table on stdout, debug logs, the default history path under XDG_DATA_HOME.
    addRun('scan-table', await xmscan(['scan', ...base(), '--tokens', files('ha.json'), '--log-level', 'debug'], { env }));
    // 3b. --output-dir with every format, --quiet (the unattended form: cron, systemd timer).
    const fmts = FORMATS.flatMap(([fmt]) => ['--format', fmt]);
    addRun('scan-outdir', await xmscan(['scan', ...base(), '--tokens', files('ha.json'), ...fmts, '--output-dir', files('outdir'), '--quiet', '--no-history'], { env }));
    if (existsSync(files('outdir'))) for (const f of readdirSync(files('outdir'))) addFile(`outdir/${f}`, join(files('outdir'), f));
    // 4. discover (no tokens given, but leaking devices hand theirs out in the hello reply).
    addRun('discover', await xmscan(['discover', '--target', '127.0.0.0/24', '--json', '--log-level', 'trace'], { env }));
    // 5. history and diff read back what was stored.
    addRun('history', await xmscan(['history', '--history', files('h.sqlite'), '--json'], { env }));
    addRun('diff', await xmscan(['diff', '--history', files('h.sqlite'), '--json'], { env }));
    addRun('diff-md', await xmscan(['diff', '--history', files('h.sqlite'), '--format', 'markdown'], { env }));

    // 6. Broken token files: error messages must not echo the token they choke on.
    const t = manifest[0]!.token;
    const bad: Record<string, string> = {
      'truncated.json': `[{"did":"1","token":"${t}"`,
      'long-token.json': JSON.stringify([{ did: '1', token: `${t}0`, ip: '127.0.0.5' }]),
      'bad-hex.csv': `did,token,ip\n1,${t.slice(0, 30)}zz,127.0.0.5\n`,
      'double.txt': `${t}${t}\n`,
      'ha-broken.json': homeAssistantTokens(manifest).replace(`"token": "${t}"`, `"token": "${t}!"`),
      'yaml.yaml': `token: ${t}\nfoo: [\n`,
    };
    for (const [name, text] of Object.entries(bad)) {
      writeFileSync(files(name), text);
      addRun(`bad:${name}`, await xmscan(['scan', ...base(), '--timeout', '100', '--no-history', '--tokens', files(name), '--log-level', 'trace'], { env }));
    }
    // A config file with a bad tokens entry (config.ts), and a token where a path belongs (env).
    writeFileSync(files('config.yaml'), `scan:\n  tokens: ${t}\n  rate: ${t}\n`);
    addRun('bad:config', await xmscan(['scan', '--config', files('config.yaml'), ...base(), '--timeout', '100', '--no-history'], { env }));
    addRun('bad:env', await xmscan(['scan', ...base(), '--timeout', '100', '--no-history'], { env: { ...env, XMSCAN_RATE: t, XMSCAN_PORTS: `${t}` } }));

    // History database: the file and its WAL/SHM companions, raw bytes; the default-path one too.
    for (const f of readdirSync(dir)) if (f.startsWith('h.sqlite')) addFile(f, files(f));
    const dataDir = files('data/xmscan');
    if (existsSync(dataDir)) for (const f of readdirSync(dataDir)) addFile(`data/xmscan/${f}`, join(dataDir, f));
    received.forEach((r, i) => haystacks.set(`notify#${i}`, Buffer.from(`${r.url}\n${r.headers}\n${r.body}`)));
    const notifiedBefore = received.length;

    // 7. --show-secrets: the requested outputs carry the tokens; history and notification still must not.
    const outS: string[] = [];
    for (const [f, ext] of FORMATS) outS.push('--format', f, '--output', files(`shown.${ext}`));
    const s = await xmscan(['scan', ...base(), '--tokens', files('ha.json'), '--show-secrets', ...outS, '--history', files('hs.sqlite'), '--notify', hookUrl, '--log-level', 'trace'], { env });
    runs['show-secrets'] = s;
    for (const [, ext] of FORMATS) if (existsSync(files(`shown.${ext}`))) shown.files.set(ext, readFileSync(files(`shown.${ext}`)));
    // What --show-secrets must NOT spread: its logs, its history, its notification.
    haystacks.set('show-secrets:stderr', Buffer.from(s.stderr));
    for (const f of readdirSync(dir)) if (f.startsWith('hs.sqlite')) addFile(f, files(f));
    received.slice(notifiedBefore).forEach((r, i) => haystacks.set(`notify(show-secrets)#${i}`, Buffer.from(`${r.url}\n${r.headers}\n${r.body}`)));
    const j = await xmscan(['scan', ...base(), '--tokens', files('ha.json'), '--show-secrets', '--json', '--no-history'], { env });
    shown = { ...shown, stdout: j.stdout };
  }, 240_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await sim?.stop();
    if (dir) {
      try {
        chmodSync(dir, 0o700);
      } catch {
        /* gone */
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the scans ran and produced every output (otherwise "no secret found" proves nothing)', () => {
    expect(runs['scan-files']!.code, runs['scan-files']!.stderr.slice(-500)).not.toBe(2);
    for (const [, ext] of FORMATS) expect(haystacks.has(`report.${ext}`), ext).toBe(true);
    for (const [, ext] of FORMATS) expect(haystacks.has(`outdir/report.${ext}`), `--output-dir ${ext}`).toBe(true);
    const doc = JSON.parse(runs['scan-json']!.stdout) as { devices: unknown[] };
    expect(doc.devices.length).toBeGreaterThanOrEqual(8);
    expect(runs['scan-table']!.stdout.length).toBeGreaterThan(200);
    expect(runs['scan-files']!.stderr).toMatch(/"level":(10|20)/); // trace/debug lines really were logged
    expect(runs['scan-json']!.stderr.length).toBeGreaterThan(0);
    expect(haystacks.has('h.sqlite')).toBe(true);
    expect(received.length, 'a notification reached the local receiver').toBeGreaterThanOrEqual(1);
    // One message per notifier kind of the first scan (webhook, Home Assistant, ntfy).
    expect(received.map((r) => r.url)).toEqual(expect.arrayContaining(['/hook', '/api/webhook/xmscan', '/xmscan-topic']));
    for (const [label, r] of Object.entries(runs)) if (label.startsWith('bad:')) expect(r.code, `${label}: ${r.stderr}`).toBe(2);
    for (const [label, r] of Object.entries(runs)) if (label.startsWith('bad:')) expect(r.stderr, label).toMatch(/xmscan: .+/);
  });

  it('no token (hex, HEX, base64, raw bytes) or router serial in any stdout, stderr, report, history byte, notification or error: 0 bytes', () => {
    const hits: SecretHit[] = [];
    for (const [where, bytes] of haystacks) hits.push(...findSecretBytes(where, bytes, needles));
    const total = hits.reduce((n, h) => n + h.bytes, 0);
    // The acceptance figure (issue 8): bytes of secrets found.
    console.log(`[security] secret bytes found in ${haystacks.size} outputs: ${total}`);
    expect(hits.map((h) => `${h.where}: ${h.needle} as ${h.form}`)).toEqual([]);
    expect(total).toBe(0);
    // The ntfy access token from the --notify URL reaches only the receiver (its Authorization header).
    const notifyCred = [...haystacks].filter(([where, b]) => !where.startsWith('notify') && b.includes('tk_localtest')).map(([w]) => w);
    expect(notifyCred).toEqual([]);
  });

  it('--show-secrets puts the tokens in the requested outputs (the search can see them), and only there', () => {
    const leaking = manifest.filter((d) => d.port !== null);
    const inJson = findSecretBytes('shown.json', shown.files.get('json') ?? Buffer.alloc(0), needles);
    expect(runs['show-secrets']!.code, runs['show-secrets']!.stderr.slice(-400)).not.toBe(2);
    // Its notification and history were searched by the sweep above (and held nothing).
    expect(haystacks.has('notify(show-secrets)#0'), 'the --show-secrets run sent a notification').toBe(true);
    expect(haystacks.has('hs.sqlite')).toBe(true);
    // Every supplied miIO token whose device was found shows up in clear.
    expect(new Set(inJson.map((h) => h.needle)).size).toBeGreaterThanOrEqual(Math.min(5, leaking.length));
    expect(findSecretBytes('stdout', Buffer.from(shown.stdout), needles).length).toBeGreaterThan(0);
    expect(FORMATS.map(([f]) => f)).toEqual(expect.arrayContaining(['json', 'table', 'html', 'markdown', 'sarif']));
    for (const ext of ['html', 'md', 'txt']) {
      const bytes = shown.files.get(ext);
      expect(bytes, ext).toBeDefined();
      expect(findSecretBytes(ext, bytes!, needles).length, `${ext} shows the tokens with --show-secrets`).toBeGreaterThan(0);
    }
    // SARIF carries findings only (no device token field): it says the run showed secrets, and holds none.
    const sarif = shown.files.get('sarif')?.toString('utf8') ?? '';
    expect(sarif).toMatch(/"secretsShown":\s*true/);
  });

  it('result files and the history database are mode 0600', () => {
    const paths = [...FORMATS.map(([, e]) => files(`report.${e}`)), ...FORMATS.map(([, e]) => files(`shown.${e}`)), ...FORMATS.map(([, e]) => files(`outdir/report.${e}`))];
    for (const f of readdirSync(dir)) if (/^hs?\.sqlite/.test(f)) paths.push(files(f));
    const dataDir = files('data/xmscan');
    if (existsSync(dataDir)) for (const f of readdirSync(dataDir)) if (f.includes('sqlite')) paths.push(join(dataDir, f));
    expect(paths.some((p) => p.endsWith('h.sqlite'))).toBe(true);
    for (const p of paths) {
      expect(existsSync(p), p).toBe(true);
      expect((statSync(p).mode & 0o777).toString(8), p).toBe('600');
    }
  });
});

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { redactReport, revealSecrets } from '../redact.js';
import type { CheckMeta, DeviceReport, ScanReport } from '../schema.js';
import { REPORT_SCHEMA_V1_URL } from '../schema-file.js';
import {
  createWriter,
  deviceUri,
  escapeHtml,
  escapeMarkdown,
  HTML_CSP,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderSarif,
  renderTable,
  toSarif,
} from './index.js';

// ajv-formats is CommonJS with a default export; under NodeNext the callable sits on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv | Ajv2020) => unknown;

const sample = (): ScanReport => JSON.parse(readFileSync(new URL('../__fixtures__/report-v1.sample.json', import.meta.url), 'utf8')) as ScanReport;

const secrets = [
  { ip: '192.168.1.9', deviceId: '42', mac: null, token: '00112233445566778899aabbccddeeff' },
  { ip: '192.168.1.10', deviceId: '123456789', mac: '04:CF:8C:00:00:10', token: 'FFEEDDCCBBAA99887766554433221100', wifiSsid: 'MyHomeWifi', wifiBssid: '04:cf:8c:aa:bb:cc' },
  { ip: '192.168.1.100', deviceId: null, mac: '50:64:2B:00:00:01', routerSerial: '36418/J1V123456' },
];

/** The sample plus a device whose every string is an attack on some medium. */
function hostile(): ScanReport {
  const r = sample();
  const evil: DeviceReport = {
    ip: '192.168.1.66',
    mac: null,
    vendor: null,
    xiaomiFamily: null,
    deviceId: '66',
    model: 'x|y`z`<b>bold</b>',
    names: ['<script>alert(1)</script>', '| a | b |', '[click](https://evil.example/) @everyone **bold** ![img](https://evil.example/i.png)'],
    sources: ['mdns'],
    firmware: { version: '"><img src=x onerror=alert(1)>', hardware: null, wifi: null, mcu: null },
    token: { state: 'unknown', supplied: false, valid: null, fingerprint: null },
    openPorts: [{ port: 80, protocol: 'tcp', service: 'http', banner: "<svg onload=alert('x')>\u202e" }],
  };
  return {
    ...r,
    devices: [...r.devices, evil],
    findings: [
      ...r.findings,
      {
        checkId: 'telnet-open',
        severity: 'critical',
        title: 'Telnet is open',
        ip: '192.168.1.66',
        deviceId: '66',
        evidence: { banner: '</code><script>alert(2)</script>' },
        remediation: 'Close it.',
        references: ['javascript:alert(1)', 'https://example.org/a?b=1&c=<2>'],
      },
    ],
    summary: { ...r.summary, devices: 4, findingsBySeverity: { ...r.summary.findingsBySeverity, critical: 1 } },
  };
}

function reportValidator() {
  const schema = JSON.parse(readFileSync(REPORT_SCHEMA_V1_URL, 'utf8')) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

function sarifValidator() {
  // The official OASIS schema (draft-07), vendored as a test fixture: test/fixtures/sarif/README.md.
  const schema = JSON.parse(readFileSync(new URL('../../../../test/fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('html writer', () => {
  it('escapes every device string and keeps no markup from them', () => {
    const html = renderHtml(hostile());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img|<svg|<[^>]*\son(error|load)=/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('\u202e');
    // A non-web reference is text, never a link.
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain('href="https://example.org/a?b=1&amp;c=&lt;2&gt;"');
  });

  it('is self-contained under a strict CSP: no script, no external URL in src/href of resources', () => {
    const html = renderHtml(hostile());
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`);
    expect(HTML_CSP).toMatch(/default-src 'none'/);
    expect(HTML_CSP).toMatch(/script-src 'none'/);
    expect(HTML_CSP).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(html).not.toMatch(/<(link|script|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/url\(|@import|@font-face/i);
    expect(html.match(/<style>/g)?.length).toBe(1);
    // The CSP hash is the hash of the one stylesheet actually in the file.
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(HTML_CSP).toContain(`'sha256-${createHash('sha256').update(css).digest('base64')}'`);
  });

  it('shows a banner and the secrets only when secretsShown', () => {
    const plain = renderHtml(sample());
    expect(plain).not.toContain('Secrets shown');
    const shown = renderHtml(revealSecrets(sample(), secrets));
    expect(shown).toContain('Secrets shown');
    expect(shown).toContain('00112233445566778899aabbccddeeff');
    expect(shown).toContain('MyHomeWifi');
    expect(shown).toContain('36418/J1V123456');
  });

  it('escapeHtml strips controls and escapes quotes', () => {
    expect(escapeHtml(`a\u001b[31m<"'&>`)).toBe('a&lt;&quot;&#39;&amp;&gt;');
  });
});

describe('markdown writer', () => {
  it('escapes pipes, backticks, HTML, links and mentions in device strings', () => {
    const md = renderMarkdown(hostile());
    expect(md).not.toMatch(/<script|<b>|<img|<svg/i);
    expect(md).toContain('&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    expect(md).toContain('\\| a \\| b \\|');
    expect(md).toContain('x\\|y\\`z\\`&lt;b&gt;bold&lt;/b&gt;');
    expect(md).toContain('\\[click\\]\\(https://evil.example/\\) \\@everyone \\*\\*bold\\*\\* \\!\\[img\\]');
    // The summary table still has exactly two columns on every row.
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|').length, row).toBe(4);
    expect(md).not.toContain('<javascript:');
  });

  it('escapeMarkdown output has no unescaped special character', () => {
    const out = escapeMarkdown('a|b`c*d_e[f]g<h>i@j!k~l#m\\n');
    expect(out).toBe('a\\|b\\`c\\*d\\_e\\[f\\]g&lt;h&gt;i\\@j\\!k\\~l\\#m\\\\n');
  });

  it('shows a banner only when secretsShown', () => {
    expect(renderMarkdown(sample())).not.toContain('Secrets shown');
    expect(renderMarkdown(revealSecrets(sample(), secrets))).toContain('**Secrets shown:**');
  });
});

describe('table writer', () => {
  it('says SECRETS SHOWN only when secretsShown and honours width', () => {
    expect(renderTable(sample(), { color: false, width: 80 })).not.toContain('SECRETS SHOWN');
    const t = renderTable(revealSecrets(sample(), secrets), { color: false, width: 60 });
    expect(t.split('\n')[1]).toMatch(/^SECRETS SHOWN/);
    for (const line of t.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('honours NO_COLOR even on a TTY', async () => {
    class Tty extends Writable {
      text = '';
      isTTY = true;
      columns = 120;
      override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
        this.text += c.toString();
        cb();
      }
    }
    const a = new Tty();
    await createWriter('table', { env: { NO_COLOR: '1' } }).write(sample(), a);
    expect(a.text).not.toContain('\u001b[');
    const b = new Tty();
    await createWriter('table', { env: {} }).write(sample(), b);
    expect(b.text).toContain('\u001b[');
  });
});

describe('json writer', () => {
  it('validates against the report schema, redacted and with secrets shown', () => {
    const validate = reportValidator();
    const plain = JSON.parse(renderJson(redactReport(sample()))) as unknown;
    expect(validate(plain), JSON.stringify(validate.errors)).toBe(true);
    const shown = JSON.parse(renderJson(revealSecrets(sample(), secrets))) as { secretsShown?: boolean; devices: Array<{ token: { value?: string } }> };
    expect(shown.secretsShown).toBe(true);
    expect(shown.devices[0]?.token.value).toBe('00112233445566778899aabbccddeeff');
    expect(shown.devices[1]?.token.value).toBe('ffeeddccbbaa99887766554433221100');
    expect(validate(shown), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema rejects a token value or a router serial when secretsShown is not true', () => {
    const validate = reportValidator();
    const shown = JSON.parse(renderJson(revealSecrets(sample(), secrets))) as Record<string, unknown>;
    delete shown['secretsShown'];
    expect(validate(shown)).toBe(false);
    const onlySerial = JSON.parse(renderJson(revealSecrets(sample(), [secrets[2]!]))) as Record<string, unknown>;
    expect(validate(onlySerial)).toBe(true);
    onlySerial['secretsShown'] = false;
    expect(validate(onlySerial)).toBe(false);
    const badHex = JSON.parse(renderJson(revealSecrets(sample(), secrets))) as { devices: Array<{ token: { value?: string } }> };
    badHex.devices[0]!.token.value = 'not-hex';
    expect(validate(badHex)).toBe(false);
  });
});

describe('sarif writer', () => {
  const rules: CheckMeta[] = [
    {
      id: 'telnet-open',
      title: 'Telnet is open',
      severity: 'high',
      description: 'A telnet server answers on port 23.',
      remediation: 'Close telnet.',
      references: ['https://github.com/AlexxIT/XiaomiGateway3/issues/1223'],
    },
  ];

  it('validates against the official SARIF 2.1.0 schema (derived rules, given rules, secrets, suppressions)', () => {
    const validate = sarifValidator();
    const suppressedReport: ScanReport = {
      ...sample(),
      suppressed: [{ finding: sample().findings[0]!, reason: 'known, accepted', expires: '2027-01-01' }],
    };
    for (const [name, text] of [
      ['derived', renderSarif(sample())],
      ['rules', renderSarif(sample(), { rules, informationUri: 'https://example.org/xmscan' })],
      ['hostile', renderSarif(hostile())],
      ['secrets', renderSarif(revealSecrets(sample(), secrets))],
      ['suppressed', renderSarif(suppressedReport)],
      ['empty', renderSarif({ ...sample(), devices: [], findings: [], checks: [], warnings: [] })],
    ] as const) {
      const log = JSON.parse(text) as unknown;
      expect(validate(log), `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  });

  it('maps findings to results with a device location and rules from metadata or findings', () => {
    const log = toSarif(sample(), { rules }) as {
      version: string;
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string; shortDescription: { text: string }; fullDescription?: { text: string }; defaultConfiguration: { level: string } }> } };
        results: Array<{ ruleId: string; ruleIndex: number; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: Array<{ name: string; fullyQualifiedName: string }> }> }>;
      }>;
    };
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(sample().findings.length);
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const res of run.results) expect(run.tool.driver.rules[res.ruleIndex]?.id).toBe(res.ruleId);
    const telnetRule = run.tool.driver.rules.find((r) => r.id === 'telnet-open');
    expect(telnetRule?.fullDescription?.text).toBe('A telnet server answers on port 23.');
    const tokenRule = run.tool.driver.rules.find((r) => r.id === 'miio-token-exposed');
    expect(tokenRule?.shortDescription.text).toBe('miIO token exposed in the hello reply');
    expect(tokenRule?.defaultConfiguration.level).toBe('error');
    const telnet = run.results.find((r) => r.ruleId === 'telnet-open')!;
    expect(telnet.level).toBe('error');
    expect(telnet.locations[0]?.physicalLocation.artifactLocation.uri).toBe('xmscan://device/192.168.1.10');
    expect(telnet.locations[0]?.logicalLocations[0]).toMatchObject({ name: '192.168.1.10', fullyQualifiedName: 'device/did:123456789' });
    expect(run.results.find((r) => r.ruleId === 'yeelight-lan-control-open')?.level).toBe('warning');
  });

  it('device URIs stay valid for IPv6 with a zone', () => {
    expect(deviceUri('fe80::1%eth0')).toBe('xmscan://device/fe80::1%25eth0');
  });
});

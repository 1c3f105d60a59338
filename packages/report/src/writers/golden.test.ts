/**
 * Golden files: every writer renders the one fixed sample report (`__fixtures__/report-v1.sample.json`,
 * built with a fixed clock) and must match `__golden__/report.<ext>` byte for byte. A missing or
 * different golden fails; regenerate deliberately with `UPDATE_GOLDEN=1 pnpm exec vitest run
 * packages/report/src/writers` and review the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { revealSecrets } from '../redact.js';
import type { ScanReport } from '../schema.js';
import { createTableWriter, createWriter, FORMAT_EXTENSIONS, writers, type Format, type ReportWriter } from './index.js';

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const goldenDir = new URL('../__golden__/', import.meta.url);

function loadSampleReport(): ScanReport {
  return JSON.parse(readFileSync(new URL('../__fixtures__/report-v1.sample.json', import.meta.url), 'utf8')) as ScanReport;
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.text += chunk.toString('utf8');
    cb();
  }
}

async function render(writer: ReportWriter, report: ScanReport): Promise<string> {
  const sink = new Sink();
  await writer.write(report, sink);
  return sink.text;
}

/** Fixed options: no colour, width 100, whatever the machine running the test. */
function goldenWriter(format: Format): ReportWriter {
  return format === 'table' ? createTableWriter({ color: false, width: 100 }) : createWriter(format);
}

function checkGolden(name: string, actual: string): void {
  const url = new URL(name, goldenDir);
  if (UPDATE) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(url, actual);
    return;
  }
  if (!existsSync(url)) throw new Error(`golden file ${name} is missing: run with UPDATE_GOLDEN=1 and review it`);
  expect(actual, `${name} differs from its golden file (UPDATE_GOLDEN=1 to regenerate)`).toBe(readFileSync(url, 'utf8'));
}

/** Raw secrets for the sample's devices (test values, not real tokens). */
const sampleSecrets = [
  { ip: '192.168.1.9', deviceId: '42', mac: null, token: '00112233445566778899aabbccddeeff' },
  { ip: '192.168.1.10', deviceId: '123456789', mac: '04:CF:8C:00:00:10', token: 'ffeeddccbbaa99887766554433221100', wifiSsid: 'MyHomeWifi', wifiBssid: '04:cf:8c:aa:bb:cc' },
  { ip: '192.168.1.100', deviceId: null, mac: '50:64:2B:00:00:01', routerSerial: '36418/J1V123456' },
];

describe('golden files', () => {
  const formats = Object.keys(writers) as Format[];

  it.each(formats)('%s matches its golden file', async (format) => {
    checkGolden(`report.${FORMAT_EXTENSIONS[format]}`, await render(goldenWriter(format), loadSampleReport()));
  });

  it.each(['table', 'markdown', 'html'] as const)('%s with --show-secrets matches its golden file', async (format) => {
    const revealed = revealSecrets(loadSampleReport(), sampleSecrets);
    checkGolden(`report-secrets.${FORMAT_EXTENSIONS[format]}`, await render(goldenWriter(format), revealed));
  });

  it('every writer is deterministic', async () => {
    for (const format of formats) {
      const a = await render(goldenWriter(format), loadSampleReport());
      const b = await render(goldenWriter(format), loadSampleReport());
      expect(a, format).toBe(b);
    }
  });
});

/**
 * The HTML report in a real browser (Debian `chromium`, driven by playwright-core): it renders the
 * device count and severities, logs no console error (a CSP violation would log one), fetches
 * nothing, and shows a device named `<script>alert(1)</script>` as text without running it.
 * The report is produced by the CLI's output step (`--format html --output FILE`), so the file's
 * atomic write and 0600 mode are checked too. Screenshot: test-results/html-report.png.
 *
 * Network safety: run under `pnpm test` (an `unshare -n` namespace when root). The browser is also
 * told to resolve no host name and to use a dead loopback proxy, so even a stray request stays local.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type DeviceReport, type ReportParts, type ScanReport } from '@xmscan/report';
import { writeOutputs } from '../../packages/scanner/src/cli/output.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  // Belt and braces: no DNS, and any http(s) fetch would go to a closed loopback port.
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--proxy-server=127.0.0.1:9',
  '--dns-prefetch-disable',
  '--no-pings',
];
const ROOT = new URL('../../', import.meta.url);
const SCREENSHOT = new URL('test-results/html-report.png', ROOT);

const HOSTILE_NAME = '<script>alert(1)</script>';

const device = (over: Partial<DeviceReport> & Pick<DeviceReport, 'ip'>): DeviceReport => ({
  mac: null,
  vendor: null,
  xiaomiFamily: null,
  deviceId: null,
  model: null,
  names: [],
  sources: ['hello'],
  firmware: null,
  token: { state: 'unknown', supplied: false, valid: null, fingerprint: null },
  openPorts: [],
  ...over,
});

/** Four devices, one of each kind of trouble, and one whose every string is an attack. */
function hostileReport(): ScanReport {
  const parts: ReportParts = {
    tool: { name: 'xmscan', version: '0.1.0' },
    startedAt: '2026-11-26T12:00:00.000Z',
    options: { targets: ['192.168.1.0/24'] },
    devices: [
      device({
        ip: '192.168.1.20',
        deviceId: '777',
        model: 'chuangmi.camera.<img src=x onerror=alert(2)>',
        names: [HOSTILE_NAME],
        mac: '04:CF:8C:00:00:20',
        xiaomiFamily: 'strong',
        vendor: 'Xiaomi Communications Co Ltd',
        token: { state: 'exposed-confirmed', supplied: false, valid: null, fingerprint: 'tok:aaaaaaaaaaaa' },
        openPorts: [{ port: 23, protocol: 'tcp', service: 'telnet', banner: '"><script>alert(3)</script>' }],
        extras: { mdns: [{ type: '_miio._udp', name: '<iframe src="https://example.com/">', txt: { x: '<style>body{display:none}</style>' } }] },
      }),
      device({
        ip: '192.168.1.10',
        deviceId: '123456789',
        model: 'lumi.gateway.mgl03',
        names: ['Living room gateway'],
        firmware: { version: '1.4.5_0016', hardware: 'Linux', wifi: null, mcu: null },
        token: { state: 'hidden', supplied: true, valid: true, fingerprint: 'tok:0123456789ab' },
        openPorts: [{ port: 23, protocol: 'tcp', service: 'telnet', banner: 'rlxlinux login:' }],
      }),
      device({ ip: '192.168.1.9', deviceId: '42', model: 'yeelink.light.color1', names: ['Desk lamp'], openPorts: [{ port: 55443, protocol: 'tcp', service: 'yeelight', banner: null }] }),
      device({ ip: '192.168.1.1', model: 'xiaomi.router.rb03', mac: '50:64:2B:00:00:01', firmware: { version: '1.0.54', hardware: 'RB03', wifi: null, mcu: null } }),
    ],
    checks: [
      { checkId: 'miio-token-exposed', deviceId: '777', ip: '192.168.1.20', status: 'fail' },
      { checkId: 'telnet-open', deviceId: '123456789', ip: '192.168.1.10', status: 'fail' },
      { checkId: 'yeelight-lan-control-open', deviceId: '42', ip: '192.168.1.9', status: 'fail' },
      { checkId: 'firmware-advisory', deviceId: null, ip: '192.168.1.1', status: 'pass' },
    ],
    findings: [
      {
        checkId: 'miio-token-exposed',
        severity: 'critical',
        title: 'miIO token exposed in the hello reply',
        ip: '192.168.1.20',
        deviceId: '777',
        evidence: { tokenFingerprint: 'tok:aaaaaaaaaaaa', banner: '<script>alert(4)</script>' },
        remediation: 'Finish setting up the device in the Mi Home app, then update its firmware.',
        references: ['https://github.com/rytilahti/python-miio/blob/master/docs/discovery.rst'],
        confidence: 'certain',
      },
      {
        checkId: 'telnet-open',
        severity: 'high',
        title: 'Telnet is open',
        ip: '192.168.1.10',
        deviceId: '123456789',
        evidence: { port: 23, banner: 'rlxlinux login:' },
        remediation: 'Reboot the gateway to close telnet and update its firmware.',
        references: ['https://github.com/AlexxIT/XiaomiGateway3/issues/1223'],
      },
      {
        checkId: 'yeelight-lan-control-open',
        severity: 'medium',
        title: 'Yeelight LAN control is on',
        ip: '192.168.1.9',
        deviceId: '42',
        evidence: { port: 55443 },
        remediation: 'Turn off "LAN Control" in the Yeelight app when you do not use it.',
        references: [],
      },
    ],
  };
  return buildReport(parts, { now: () => new Date('2026-11-26T12:00:30.000Z') });
}

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env['CI']) throw new Error(`${CHROMIUM} is missing: .ci/apt-packages.txt lists chromium`);

describe.skipIf(!haveChromium)('HTML report in headless Chromium', () => {
  let dir: string;
  let file: string;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xmscan-html-'));
    file = join(dir, 'report.html');
    await writeOutputs(hostileReport(), { format: ['html'], output: [file] });
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1000, height: 900 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('was written atomically with mode 0600', () => {
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('renders counts and severities, fetches nothing, runs nothing, logs no error', async () => {
    const fileUrl = pathToFileURL(file).href;
    const requests: string[] = [];
    const blocked: string[] = [];
    const consoleErrors: string[] = [];
    const dialogs: string[] = [];
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url === fileUrl) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });

    await page.goto(fileUrl, { waitUntil: 'load' });

    await expect.poll(() => page.locator('header').innerText()).toContain('4 devices checked');
    const summary = await page.locator('#summary li').allInnerTexts();
    expect(summary.map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['1 Critical', '1 High', '1 Medium', '0 Low', '0 Info']);
    expect(await page.locator('article.device').count()).toBe(4);
    // Worst device first.
    expect(await page.locator('article.device').first().getAttribute('class')).toContain('sev-critical');

    // The hostile name is text on the page, not markup.
    expect(await page.getByText(HOSTILE_NAME, { exact: true }).count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('script, iframe, img, object, embed').count()).toBe(0);
    expect(await page.locator('style').count()).toBe(1);

    // The inline stylesheet was allowed by the CSP hash (else no badge colour and a console error).
    const badge = await page.locator('.finding.sev-critical .badge').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(badge).not.toBe('rgba(0, 0, 0, 0)');

    // Severity filter (CSS only): unticking High hides the high finding, keeps the others.
    const high = page.locator('.finding.sev-high');
    await expect.poll(() => high.isVisible()).toBe(true);
    await page.locator('#show-high').uncheck();
    await expect.poll(() => high.isVisible()).toBe(false);
    expect(await page.locator('.finding.sev-critical').isVisible()).toBe(true);
    await page.locator('#show-high').check();

    mkdirSync(new URL('./', SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true });

    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(blocked).toEqual([]);
    expect(requests.filter((u) => u !== fileUrl)).toEqual([]);
    await page.close();
  });
});

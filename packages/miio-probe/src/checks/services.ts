/**
 * Network services that stock Xiaomi-ecosystem firmware does not open (protocols.md §5.5,
 * advisories.md §3.4-3.7). On these devices an open telnet/SSH/RTSP/MQTT/HTTP port usually means the
 * device was rooted or modified, or telnet was switched on. Banners are read, never logged in to.
 */
import { deviceKind, openPort, snippet } from './device-kind.js';
import type { DeviceKind } from './device-kind.js';
import { advisoryIds, advisoryRefs, portsKnown } from './helpers.js';
import { REF } from './references.js';
import { createCheck } from './registry.js';
import { outcome, toFinding } from './result.js';
import type { Check, DeviceAuditContext, PortObservation } from './types.js';

interface BannerMeaning {
  rx: RegExp;
  meaning: string;
  advisories: string[];
}

// advisories.md §3.4 known telnet banners.
const TELNET_BANNERS: readonly BannerMeaning[] = [
  { rx: /rlxlinux/i, meaning: 'Xiaomi Multimode Gateway (lumi.gateway.mgl03); login is admin with no or a default password', advisories: ['x_XMI-GW3-BUTTON-TELNET-DEFAULT-CREDS', 'x_XMI-GW-MIIO-SET-IP-INFO-CMD-INJECTION', 'x_EXPOSE-GATEWAY-OPEN-MQTT-TELNET'] },
  { rx: /Aqara[-_]Hub[-_]E1/i, meaning: 'Aqara Hub E1', advisories: ['x_XMI-GW-MIIO-SET-IP-INFO-CMD-INJECTION', 'x_EXPOSE-GATEWAY-OPEN-MQTT-TELNET'] },
  { rx: /Mijia_Hub_V2/i, meaning: 'Xiaomi Multimode Gateway 2', advisories: ['x_XMI-GW-MIIO-SET-IP-INFO-CMD-INJECTION', 'x_EXPOSE-GATEWAY-OPEN-MQTT-TELNET'] },
  { rx: /Camera-Hub-G3/i, meaning: 'Aqara Camera Hub G3 after the setup-QR command injection (root login)', advisories: ['x_AQARA-G3-SETUP-QR-CMD-INJECTION'] },
];

const KIND_TELNET_ADVISORIES: Partial<Record<DeviceKind, string[]>> = {
  router: ['x_XMI-ROUTER-DERIVABLE-ROOT-PASSWORD', 'x_EXPOSE-ROUTER-POST-EXPLOIT-TELNET-FTP'],
  camera: ['x_MIJIA-360-720P-STOCK-TELNET-ROOT', 'x_AQARA-G2H-HARDCODED-UART-ROOT'],
  speaker: ['CVE-2020-10262', 'CVE-2020-10263'],
  gateway: ['x_EXPOSE-GATEWAY-OPEN-MQTT-TELNET'],
};

function tcp(ctx: DeviceAuditContext, ports: readonly number[], services: readonly string[]): PortObservation[] {
  return (ctx.ports ?? []).filter((p) => p.open && p.protocol === 'tcp' && (ports.includes(p.port) || (p.service !== null && services.includes(p.service.toLowerCase()))));
}

export const telnetOpen: Check = createCheck(
  {
    id: 'telnet-open',
    title: 'Telnet is open',
    severity: 'high',
    description:
      'The device accepts telnet connections. Stock Xiaomi, Aqara and router firmware keeps telnet closed; it is opened by exploits, button tricks, debug modes or custom firmware, and the login is often a published default.',
    remediation:
      'Restart the device (on many gateways this closes telnet) and update its firmware. If you opened telnet on purpose, set a strong password or close it again, and keep the device on a separate network.',
    references: [REF.gw3Issue1223, REF.gw3ShellMgw, REF.openWrtInvasion, REF.xmirConnect3, REF.mijia720pHack],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    if (!portsKnown(ctx)) return o.skipped('ports were not scanned');
    const open = tcp(ctx, [23], ['telnet']);
    const first = open[0];
    if (first === undefined) return o.pass('telnet (23/tcp) closed');
    const kind = deviceKind(ctx);
    const banner = first.banner ?? '';
    const known = TELNET_BANNERS.find((b) => b.rx.test(banner));
    const keys = [...(known?.advisories ?? []), ...(KIND_TELNET_ADVISORIES[kind] ?? [])];
    const ftp = openPort(ctx, 21) !== undefined;
    // OpenWRTInvasion leaves telnet (root/root) and FTP running on routers (advisories.md §3.9).
    const critical = kind === 'router' && ftp;
    return o.fail(
      [
        toFinding(
          meta,
          ctx,
          {
            port: first.port,
            banner: snippet(first.banner),
            loginPrompt: first.details?.telnetLoginPrompt ?? (/login:/i.test(banner) || null),
            bannerMeaning: known?.meaning ?? null,
            deviceKind: kind,
            ftpOpen: ftp,
            advisories: advisoryIds(ctx.advisories, keys),
          },
          {
            severity: critical ? 'critical' : 'high',
            title: critical ? 'Telnet and FTP are open on the router (left over from rooting)' : known ? `Telnet is open (${known.meaning.split(';')[0]})` : 'Telnet is open',
            references: advisoryRefs(ctx.advisories, keys, meta.references),
            confidence: 'certain',
          },
        ),
      ],
      `port ${first.port} open`,
    );
  },
);

export const sshOnStockDevice: Check = createCheck(
  {
    id: 'ssh-on-stock-device',
    title: 'SSH open on a device that ships without it (rooted)',
    severity: 'high',
    description:
      'SSH answers on a vacuum, gateway, camera, speaker, router or other Mi device whose stock firmware keeps it closed. That usually means the device was rooted (Dustcloud/Valetudo on vacuums, hacks on cameras); prebuilt rooted images often keep a published root password.',
    remediation:
      'If you rooted the device yourself, change the root password and allow SSH keys only. If you did not, reset the device to factory settings and update its firmware.',
    references: [REF.vacuumHacked, REF.rand256Release, REF.dafangFaq, REF.xmirConnect3],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    if (!portsKnown(ctx)) return o.skipped('ports were not scanned');
    const open = tcp(ctx, [22], ['ssh']);
    const first = open[0];
    if (first === undefined) return o.pass('SSH (22/tcp) closed');
    const kind = deviceKind(ctx);
    if (kind === 'unknown') return o.skipped('SSH is open but the device model is unknown, so it may be normal');
    const keys = kind === 'vacuum' ? ['x_EXPOSE-ROOTED-VACUUM'] : kind === 'router' ? ['x_XMI-ROUTER-DERIVABLE-ROOT-PASSWORD'] : kind === 'speaker' ? ['CVE-2020-10262'] : kind === 'camera' ? ['x_XIAOMI-DAFANG-DEFAULT-ROOT-ISMART12', 'x_MIJIA-360-1080P-342-SDCARD-HOOK'] : [];
    return o.fail(
      [
        toFinding(
          meta,
          ctx,
          { port: first.port, sshVersion: snippet(first.details?.sshVersion ?? first.banner, 120), deviceKind: kind, advisories: advisoryIds(ctx.advisories, keys) },
          { references: advisoryRefs(ctx.advisories, keys, meta.references), confidence: 'likely' },
        ),
      ],
      `SSH open on a ${kind}`,
    );
  },
);

export const valetudoPresent: Check = createCheck(
  {
    id: 'valetudo-present',
    title: 'Rooted vacuum running Valetudo',
    severity: 'high',
    description:
      'The robot runs Valetudo, a replacement cloud-free firmware installed by rooting. Its web interface has no password by default, so anyone on the network can drive the robot and download maps of your home.',
    remediation: 'Turn on the password (HTTP basic auth) in Valetudo settings, change the robot root password and use SSH keys only.',
    references: [REF.valetudoDefaultConfig, REF.valetudoAdvertisement, REF.rand256Release],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    const signals: string[] = [];
    if (ctx.ecosystem?.valetudo !== undefined) signals.push('valetudo API answered');
    if ((ctx.device.mdns ?? []).some((r) => typeof r?.type === 'string' && /^_valetudo\._tcp/i.test(r.type))) signals.push('mDNS _valetudo._tcp');
    const http = tcp(ctx, [80], ['http']).find((p) => /valetudo/i.test(`${p.details?.httpTitle ?? ''} ${p.details?.httpServer ?? ''} ${p.banner ?? ''}`));
    if (http !== undefined) signals.push(`HTTP ${http.port} serves Valetudo`);
    const kind = deviceKind(ctx);
    if (signals.length > 0) {
      // Valetudo serves its UI on 80: once it is known to be there, that port's status tells if a password is on.
      const ui = http ?? tcp(ctx, [80], ['http'])[0];
      const httpAuth = ui?.details?.httpStatus === 401 ? true : ui?.details?.httpStatus === 200 ? false : null;
      return o.fail(
        [
          toFinding(
            meta,
            ctx,
            { signals, version: ctx.ecosystem?.valetudo?.version ?? null, httpAuthRequired: httpAuth, deviceKind: kind, advisories: advisoryIds(ctx.advisories, ['x_EXPOSE-ROOTED-VACUUM']) },
            {
              // With a 401 the UI is password-protected: still rooted, less exposed.
              severity: httpAuth === true ? 'medium' : 'high',
              references: advisoryRefs(ctx.advisories, ['x_EXPOSE-ROOTED-VACUUM'], meta.references),
              confidence: 'certain',
            },
          ),
        ],
        signals.join('; '),
      );
    }
    if (kind === 'vacuum') return o.pass('no Valetudo signs on this vacuum');
    return o.skipped('not a vacuum');
  },
);

export const rtspOpen: Check = createCheck(
  {
    id: 'rtsp-open',
    title: 'RTSP video stream open',
    severity: 'high',
    description:
      'A video stream server (RTSP) answers. Stock Xiaomi cameras have no RTSP server; it comes with custom firmware or hacks, often without a password, so anyone on the network can watch the camera.',
    remediation: 'Set a user name and password for the stream in the custom firmware, or go back to the stock firmware. Keep cameras on a separate network.',
    references: [REF.dafangTinycam, REF.dafangFaq, REF.mijia1080pHacks],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    if (!portsKnown(ctx)) return o.skipped('ports were not scanned');
    const open = tcp(ctx, [554, 8554], ['rtsp']);
    if (open.length === 0) return o.pass('no RTSP port open');
    const noAuth = open.filter((p) => p.details?.rtspAuth === false);
    const untested = open.filter((p) => p.details?.rtspAuth === undefined);
    const worst = noAuth[0] ?? untested[0] ?? open[0]!;
    const keys = ['x_XIAOMI-DAFANG-DEFAULT-ROOT-ISMART12', 'x_MIJIA-360-1080P-342-SDCARD-HOOK'];
    return o.fail(
      [
        toFinding(
          meta,
          ctx,
          { ports: open.map((p) => p.port), authRequired: worst.details?.rtspAuth ?? null, deviceKind: deviceKind(ctx) },
          {
            severity: noAuth.length > 0 ? 'high' : untested.length > 0 ? 'medium' : 'low',
            title: noAuth.length > 0 ? 'RTSP video stream open without a password' : untested.length > 0 ? 'RTSP video stream open (password not tested)' : 'RTSP video stream open (password required)',
            references: advisoryRefs(ctx.advisories, keys, meta.references),
            confidence: noAuth.length > 0 ? 'certain' : 'likely',
          },
        ),
      ],
      `RTSP on ${open.map((p) => p.port).join(', ')}`,
    );
  },
);

export const mqttNoAuth: Check = createCheck(
  {
    id: 'mqtt-no-auth',
    title: 'MQTT broker accepts anonymous clients',
    severity: 'high',
    description:
      'An MQTT broker on port 1883 accepted a connection without user name or password. On modified gateways this broker carries every Zigbee/BLE event and accepts commands, so anyone on the network can read sensors and switch devices.',
    remediation: 'Protect the broker with a password or a firewall rule, or remove the gateway modification if you do not use it.',
    references: [REF.gw3ReadmeMqtt, REF.aqaraM3Telnet],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    if (!portsKnown(ctx)) return o.skipped('ports were not scanned');
    const port = tcp(ctx, [1883], ['mqtt'])[0];
    if (port === undefined) return o.pass('MQTT (1883/tcp) closed');
    const code = port.details?.mqttConnack;
    if (code === undefined) return o.skipped('MQTT port open; anonymous login was not tested');
    if (code !== 0) return o.pass(`broker refused anonymous CONNECT (CONNACK ${code})`);
    const keys = ['x_EXPOSE-GATEWAY-OPEN-MQTT-TELNET'];
    return o.fail(
      [toFinding(meta, ctx, { port: port.port, connack: 0, deviceKind: deviceKind(ctx), advisories: advisoryIds(ctx.advisories, keys) }, { references: advisoryRefs(ctx.advisories, keys, meta.references), confidence: 'certain' })],
      'CONNACK 0 without credentials',
    );
  },
);

const HTTP_PORTS = [80, 443, 8080, 8443];

export const httpAdminOpen: Check = createCheck(
  {
    id: 'http-admin-open',
    title: 'Web interface on a device that ships without one',
    severity: 'medium',
    description:
      'A web server answers on a Mi device whose stock firmware has no web interface (routers excepted). That points to custom firmware or a hack; such interfaces often have no password or a published one.',
    remediation: 'If you installed custom firmware, set a password for its web interface. If you did not, reset the device and update its firmware.',
    references: [REF.dafangFaq, REF.mijia1080pHacks, REF.valetudoDefaultConfig],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    if (!portsKnown(ctx)) return o.skipped('ports were not scanned');
    const open = tcp(ctx, HTTP_PORTS, ['http', 'https']);
    if (open.length === 0) return o.pass('no web port open');
    const kind = deviceKind(ctx);
    if (kind === 'router') return o.pass('routers serve their admin page by design');
    if (kind === 'unknown') return o.skipped('web port open but the device model is unknown');
    const valetudo = ctx.ecosystem?.valetudo !== undefined || open.some((p) => /valetudo/i.test(`${p.details?.httpTitle ?? ''} ${p.details?.httpServer ?? ''}`));
    if (valetudo) return o.pass('web interface is Valetudo (reported by valetudo-present)');
    const first = open[0]!;
    const status = first.details?.httpStatus;
    return o.fail(
      [
        toFinding(
          meta,
          ctx,
          { ports: open.map((p) => p.port), httpStatus: status ?? null, server: snippet(first.details?.httpServer, 120), title: snippet(first.details?.httpTitle, 120), deviceKind: kind },
          { severity: status === 401 ? 'low' : 'medium', confidence: 'likely' },
        ),
      ],
      `web port ${open.map((p) => p.port).join(', ')} open on a ${kind}`,
    );
  },
);

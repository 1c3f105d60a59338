/**
 * Ecosystem protocols that expose a device to every LAN host by design once switched on
 * (advisories.md §3.2, §3.3; protocols.md §5.2-5.4), plus identity/cloud observations.
 */
import { bestModel, deviceKind, openPort, openTcpPorts } from './device-kind.js';
import { advisoryIds, advisoryRefs, isSilence, portsKnown } from './helpers.js';
import { REF } from './references.js';
import { createCheck } from './registry.js';
import { outcome, toFinding } from './result.js';
import type { Check } from './types.js';

export const yeelightLanControlOpen: Check = createCheck(
  {
    id: 'yeelight-lan-control-open',
    title: 'Yeelight LAN control is on',
    severity: 'medium',
    description:
      'The light accepts control commands on TCP 55443 with no password ("LAN Control" / developer mode). Anyone on your network can switch it, change colours or set timers.',
    remediation: 'Turn off "LAN Control" in the Yeelight app if no home-automation system needs it, and keep lights on a separate network.',
    references: [REF.yeelightOpenhab, REF.yeelightPython, REF.yeelightWebthings],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    const probe = ctx.ecosystem?.yeelightLanControl;
    const port = portsKnown(ctx) ? openPort(ctx, 55443) : undefined;
    const isYeelight = ctx.device.yeelight !== undefined || /^yeelink\./i.test(bestModel(ctx) ?? '');
    if (probe?.open === true || port !== undefined) {
      const keys = ['x_EXPOSE-YEELIGHT-LAN-CONTROL'];
      return o.fail(
        [
          toFinding(
            meta,
            ctx,
            { port: 55443, getPropAnswered: probe?.getPropAnswered ?? null, model: ctx.device.yeelight?.model ?? bestModel(ctx), fwVer: ctx.device.yeelight?.fw_ver ?? null, advisories: advisoryIds(ctx.advisories, keys) },
            { references: advisoryRefs(ctx.advisories, keys, meta.references), confidence: probe?.getPropAnswered === true || isYeelight ? 'certain' : 'likely' },
          ),
        ],
        probe?.getPropAnswered === true ? 'get_prop answered on 55443' : '55443/tcp open',
      );
    }
    if (probe?.open === false) return o.pass('55443/tcp closed');
    if (isYeelight && portsKnown(ctx)) return o.pass('55443/tcp closed');
    if (isYeelight) return o.skipped('Yeelight, but port 55443 was not probed');
    return o.skipped('not a Yeelight');
  },
);

export const lumiGatewayLanProtocol: Check = createCheck(
  {
    id: 'lumi-gateway-lan-protocol',
    title: 'Aqara/Mi gateway LAN protocol is on',
    severity: 'medium',
    description:
      'The gateway answers the Lumi "LAN communication protocol" (developer mode, UDP 9898). Every device on your network can read its sensors (doors, motion) without a key; with the key shown in the app, plugs and alarms can be switched.',
    remediation: 'Turn off the LAN protocol in the Mi Home app gateway settings if nothing uses it, and change its key if it was shared.',
    references: [REF.lumiLanDoc],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    const lan = ctx.ecosystem?.lumiLan;
    const iam = ctx.device.lumi;
    if (lan?.iam === true || iam !== undefined) {
      const keys = ['x_EXPOSE-LUMI-GATEWAY-LAN-PROTOCOL'];
      return o.fail(
        [
          toFinding(
            meta,
            ctx,
            {
              iam: true,
              readAnswered: lan?.readAnswered ?? null,
              protoVersion: lan?.protoVersion ?? iam?.proto_version ?? null,
              lumiModel: iam?.model ?? null,
              port: iam?.port ?? 9898,
              advisories: advisoryIds(ctx.advisories, keys),
            },
            { references: advisoryRefs(ctx.advisories, keys, meta.references), confidence: 'certain' },
          ),
        ],
        'gateway answered whois',
      );
    }
    if (lan !== undefined) return o.pass('no answer to whois');
    if (deviceKind(ctx) === 'gateway') return o.skipped('gateway, but the LAN protocol was not probed');
    return o.skipped('not a Lumi gateway');
  },
);

export const routerInitInfoExposed: Check = createCheck(
  {
    id: 'router-init-info-exposed',
    title: 'Router reveals its serial number without login',
    severity: 'medium',
    description:
      'The router answers /cgi-bin/luci/api/xqsystem/init_info without a password, giving its model, firmware and serial number. Tools derive the factory root/telnet password from that serial, which matters as soon as telnet or SSH is open.',
    remediation: 'Keep the router firmware up to date, keep telnet and SSH off, set a strong admin password, and never expose the admin page to the internet.',
    references: [REF.xmirGateway, REF.xmirConnect3],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    const init = ctx.ecosystem?.routerInitInfo;
    if (init === undefined) {
      return deviceKind(ctx) === 'router' ? o.skipped('router, but init_info was not read') : o.skipped('not a MiWiFi router');
    }
    const shell = portsKnown(ctx) ? openTcpPorts(ctx).filter((p) => p === 22 || p === 23) : [];
    const notSetUp = init.inited === false;
    const keys = ['x_XMI-ROUTER-DERIVABLE-ROOT-PASSWORD'];
    return o.fail(
      [
        toFinding(
          meta,
          ctx,
          // Only the redacted serial ever reaches evidence: the full one derives the root password.
          { hardware: init.hardware, romversion: init.romversion, serialRedacted: init.serialRedacted, inited: init.inited, shellPortsOpen: shell, advisories: advisoryIds(ctx.advisories, keys) },
          {
            severity: shell.length > 0 || notSetUp ? 'high' : 'medium',
            title: notSetUp ? 'Router is not set up yet (factory state) and reveals its serial number' : shell.length > 0 ? 'Router reveals its serial number and has telnet/SSH open' : meta.title,
            references: advisoryRefs(ctx.advisories, keys, meta.references),
            confidence: 'certain',
          },
        ),
      ],
      'init_info answered without authentication',
    );
  },
);

export const cloudLink: Check = createCheck(
  {
    id: 'cloud-link',
    title: 'Device reports no cloud link',
    severity: 'info',
    description:
      'miIO.info reports no cloud transport ("ot" missing or "none"). The device is not talking to the Xiaomi cloud, so it will not get firmware updates through the app. That may be on purpose (a blocked or local-only device).',
    remediation: 'If you did not block this device from the internet on purpose, check its Wi-Fi and Mi Home pairing; otherwise update its firmware by other means now and then.',
    references: ['https://github.com/aholstenson/miio/blob/master/cli/commands/inspect.js', 'https://github.com/rytilahti/python-miio/blob/master/miio/deviceinfo.py'],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    const info = ctx.info;
    if (info === undefined) return o.skipped('no miIO.info (no token)');
    if (!info.ok) return isSilence(info.error) ? o.skipped(`miIO.info did not answer (${info.error.code})`) : o.error(info.error.code, info.error.message);
    const ot = typeof info.value.ot === 'string' ? info.value.ot.trim().toLowerCase() : '';
    if (ot !== '' && ot !== 'none') return o.pass(`cloud transport ${ot}`);
    return o.fail([toFinding(meta, ctx, { ot: info.value.ot ?? null }, { confidence: 'likely' })], 'ot missing or none');
  },
);

export const unknownXiaomiHost: Check = createCheck(
  {
    id: 'unknown-xiaomi-host',
    title: 'Xiaomi-family device that did not identify itself',
    severity: 'info',
    description:
      'The network card belongs to a Xiaomi company or ecosystem brand, but the device answered none of the Mi Home identification methods (miIO hello, mDNS, Yeelight, Lumi, router API). It may be a phone or laptop, or a device this scan could not audit.',
    remediation: 'Check what this device is (your router client list shows its name). If you do not know it, find it before trusting your network.',
    references: ['https://www.npmjs.com/package/oui-data', REF.pythonMiioDiscovery],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    const d = ctx.device;
    if (d.xiaomiFamily === null || d.xiaomiFamily === undefined) return o.skipped('MAC vendor is not a Xiaomi-family company');
    if (d.xiaomiFamily === 'weak') return o.skipped('MAC vendor makes Wi-Fi modules for many brands; not evidence alone');
    const identified =
      (ctx.hello !== undefined && ctx.hello.ok) ||
      (ctx.info !== undefined && ctx.info.ok) ||
      (d.deviceId !== null && d.deviceId !== undefined) ||
      (typeof d.model === 'string' && d.model !== '') ||
      (d.mdns ?? []).length > 0 ||
      d.yeelight !== undefined ||
      d.lumi !== undefined ||
      ctx.ecosystem?.routerInitInfo !== undefined;
    if (identified) return o.pass('device identified itself');
    const ports = portsKnown(ctx) ? openTcpPorts(ctx) : [];
    return o.fail(
      [toFinding(meta, ctx, { vendor: d.vendor, openTcpPorts: ports, sources: [...(d.sources ?? [])] }, { severity: ports.length > 0 ? 'low' : 'info', confidence: 'possible' })],
      'Xiaomi-family MAC without a Mi Home identity',
    );
  },
);

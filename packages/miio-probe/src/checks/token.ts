import { REF } from './references.js';
import { advisoryIds, advisoryRefs, infoError, isSilence } from './helpers.js';
import { createCheck } from './registry.js';
import { outcome, toFinding } from './result.js';
import type { Check } from './types.js';

/**
 * Hello reply token field (protocols.md §2.1, advisories.md §3.1): all-ff / all-00 = hidden; anything
 * else is the token. Confirmed when `miIO.info` with it decrypted (tokenProbe.exposedConfirmed).
 */
export const miioTokenExposed: Check = createCheck(
  {
    id: 'miio-token-exposed',
    title: 'miIO token exposed in the hello reply',
    severity: 'critical',
    description:
      'The device answers the miIO hello with its secret token instead of a mask. Whoever holds the token has full local control of the device (any miIO command, including firmware updates on some models).',
    remediation:
      'Finish setting the device up in the Mi Home app (a device left in setup mode hands out its token), then update its firmware. Put smart-home devices on a separate Wi-Fi or VLAN so other computers cannot reach them.',
    references: [REF.pythonMiioDiscovery, REF.openMiHomeProtocol, REF.miioIssue40, REF.pythonMiioIssue14],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    const hello = ctx.hello;
    if (hello === undefined) return o.skipped('no miIO hello was sent to this device');
    if (!hello.ok) {
      return isSilence(hello.error) ? o.skipped(`no miIO hello reply (${hello.error.code})`) : o.error(hello.error.code, hello.error.message);
    }
    if (hello.tokenField === 'hidden') return o.pass('hello reply masks the token');
    const confirmed = ctx.tokenProbe?.exposedConfirmed ?? null;
    const refs = advisoryRefs(ctx.advisories, ['x_XMI-MIIO-HELLO-TOKEN-LEAK', 'x_EXPOSE-UNPROVISIONED-MIIO-DEVICE'], meta.references);
    return o.fail(
      [
        toFinding(
          meta,
          ctx,
          {
            tokenField: 'exposed',
            tokenFingerprint: hello.tokenFingerprint,
            confirmed,
            stamp: hello.stamp,
            advisories: advisoryIds(ctx.advisories, ['x_XMI-MIIO-HELLO-TOKEN-LEAK']),
          },
          confirmed === true
            ? { severity: 'critical', title: 'miIO token exposed in the hello reply (confirmed: it unlocks the device)', confidence: 'certain', references: refs }
            : {
                severity: 'high',
                title: 'miIO token probably exposed in the hello reply (not confirmed)',
                // Tried and it did not decrypt: the field may be junk rather than the token.
                confidence: confirmed === false ? 'possible' : 'likely',
                references: refs,
              },
        ),
      ],
      confirmed === true ? 'token in hello reply decrypted miIO.info' : 'hello reply carries an unmasked token field',
    );
  },
);

/** The user's token for this device no longer works although the device answers (protocols.md §1.10). */
export const miioTokenStale: Check = createCheck(
  {
    id: 'miio-token-stale',
    title: 'Supplied miIO token is rejected',
    severity: 'low',
    description:
      'The device answers the miIO hello, but the token you supplied does not decrypt its replies. The token changes when a device is reset or paired again, so firmware checks that need it could not run.',
    remediation:
      'Get the current token for this device (for example again from your Mi Home account) and scan again. If nobody in your home reset or re-paired the device, check in the Mi Home app who it is paired with.',
    references: [REF.pythonMiioDiscovery, REF.openMiHomeProtocol],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    const probe = ctx.tokenProbe;
    if (probe === undefined || probe.suppliedFingerprint === null) return o.skipped('no token supplied for this device');
    if (probe.suppliedValid === null) {
      const err = infoError(ctx);
      // Silence after a hello answers nothing: a stale token and a device that never answers miIO.info look the same (protocols.md §1.10).
      if (err !== null) return o.skipped(`supplied token got no miIO.info reply (${err.code}): stale token or a device that does not answer miIO.info`);
      return o.skipped('supplied token was not tried');
    }
    if (probe.suppliedValid) return o.pass('supplied token works');
    if (ctx.hello === undefined || !ctx.hello.ok) return o.skipped('device did not answer the miIO hello; cannot tell a wrong token from a dead device');
    return o.fail(
      [toFinding(meta, ctx, { suppliedFingerprint: probe.suppliedFingerprint, helloAnswered: true }, { confidence: 'certain' })],
      'hello answered, supplied token rejected',
    );
  },
);

// `<model-with-dashes>_miap<4 hex>`: the SSID of a device's own setup AP (protocols.md §4.6).
const MIAP_RX = /_miap[0-9a-f]{4}\b/i;

/** A device still in setup (AP) mode: its hello gives its token to anyone on its open AP (advisories.md §3.1). */
export const miioSetupMode: Check = createCheck(
  {
    id: 'miio-setup-mode',
    title: 'Device is in setup (access point) mode',
    severity: 'medium',
    description:
      'The device runs its own open Wi-Fi access point for setup instead of being joined to your network. In this state it hands its token to anyone who connects, who can then control it.',
    remediation: 'Finish setting the device up in the Mi Home app, or switch it off until you do. The token changes after setup.',
    references: [REF.unprovisionedPlug, REF.miioIssue40, REF.pythonMiioDiscovery],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    const refs = advisoryRefs(ctx.advisories, ['x_EXPOSE-UNPROVISIONED-MIIO-DEVICE'], meta.references);
    const names = (ctx.device.names ?? []).filter((n) => typeof n === 'string');
    const apName = names.find((n) => MIAP_RX.test(n));
    const info = ctx.info;
    const netif = info !== undefined && info.ok ? info.value.netif : undefined;
    const ssid = info !== undefined && info.ok ? info.value.ap?.ssid : undefined;
    // In AP mode the device is the gateway of its own subnet (192.168.8.1 rockrobo, 192.168.13.1 purifier).
    if (netif !== undefined && typeof netif.localIp === 'string' && netif.localIp !== '' && netif.localIp === netif.gw) {
      return o.fail([toFinding(meta, ctx, { signal: 'device is its own gateway', localIp: netif.localIp, gateway: netif.gw, ssid: ssid ?? null }, { confidence: 'certain', references: refs })], 'netif gateway is the device itself');
    }
    if (typeof ssid === 'string' && MIAP_RX.test(ssid)) {
      return o.fail([toFinding(meta, ctx, { signal: 'setup SSID', ssid }, { confidence: 'likely', references: refs })], 'associated SSID is a setup AP name');
    }
    if (apName !== undefined) {
      return o.fail([toFinding(meta, ctx, { signal: 'setup AP name', name: apName }, { confidence: 'likely', references: refs })], 'device advertises a setup AP name');
    }
    if (info !== undefined && info.ok) return o.pass('miIO.info shows the device joined a network');
    const err = infoError(ctx);
    if (err !== null && !isSilence(err)) return o.error(err.code, err.message);
    if (err !== null) return o.skipped(`needs miIO.info, which did not answer (${err.code}), or a setup-AP name to tell`);
    return o.skipped('needs miIO.info (a token) or a setup-AP name to tell');
  },
);

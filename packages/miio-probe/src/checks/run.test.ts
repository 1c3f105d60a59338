import { describe, expect, it } from 'vitest';
import { CheckError } from './errors.js';
import { createCheck, createCheckRegistry, defineCheck } from './registry.js';
import { outcome, toFinding } from './result.js';
import { runChecks, scrubSecrets } from './run.js';
import type { Check, CheckMeta, DeviceAuditContext } from './types.js';

const meta = (id: string, over: Partial<CheckMeta> = {}): CheckMeta => ({
  id,
  title: 'T',
  severity: 'low',
  description: 'D',
  remediation: 'Do the thing.',
  references: ['https://example.org/ref'],
  ...over,
});
const ctx = { device: { ip: '10.0.0.2', mac: null, vendor: null, xiaomiFamily: null, deviceId: '7', model: null, names: [], sources: [] }, ports: [], ecosystem: {}, advisories: { advisories: [], index: new Map() } } as DeviceAuditContext;

describe('registry', () => {
  it('throws MIIO_ERR_CHECK_DUPLICATE on a repeated id', () => {
    const a = createCheck(meta('same-id'), (c, m) => outcome(m, c).pass('ok'));
    const b = createCheck(meta('same-id'), (c, m) => outcome(m, c).pass('ok'));
    expect(() => createCheckRegistry([a, b])).toThrowError(expect.objectContaining({ code: 'MIIO_ERR_CHECK_DUPLICATE' }));
    expect(createCheckRegistry([a]).get('same-id')).toBe(a);
  });

  it.each([
    ['Not_Kebab', {}],
    ['trailing-', {}],
    ['ok-id', { severity: 'severe' as never }],
    ['ok-id', { remediation: '  ' }],
    ['ok-id', { references: [] }],
    ['ok-id', { references: ['not a url'] }],
    ['ok-id', { title: '' }],
  ])('rejects metadata %s %j with MIIO_ERR_CHECK_INVALID_META', (id, over) => {
    let err: unknown;
    try {
      defineCheck({ meta: meta(id, over), run: (c) => outcome(meta(id), c).pass('x') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckError);
    expect((err as CheckError).code).toBe('MIIO_ERR_CHECK_INVALID_META');
  });
});

describe('runChecks', () => {
  it('turns a throwing check into an error run with a stable code and no message leak', () => {
    const thrower: Check = { meta: meta('thrower'), run: () => { throw new TypeError('device said 0123456789abcdef0123456789abcdef'); } };
    const { runs, findings } = runChecks(ctx, [thrower]);
    expect(findings).toEqual([]);
    expect(runs).toEqual([{ checkId: 'thrower', deviceId: '7', ip: '10.0.0.2', status: 'error', error: { code: 'MIIO_ERR_CHECK_THREW', message: 'check threw TypeError' } }]);
  });

  it('rejects malformed results with MIIO_ERR_CHECK_BAD_RESULT', () => {
    const bad: Check[] = [
      { meta: meta('no-result'), run: () => undefined as never },
      { meta: meta('wrong-id'), run: (c) => outcome(meta('other-id'), c).pass('x') },
      { meta: meta('bad-status'), run: (c) => ({ run: { ...outcome(meta('bad-status'), c).pass('x').run, status: 'ok' as never }, findings: [] }) },
      { meta: meta('bad-finding'), run: (c) => outcome(meta('bad-finding'), c).fail([{ ...toFinding(meta('bad-finding'), c, {}), severity: 'severe' as never }]) },
    ];
    const { runs } = runChecks(ctx, bad);
    expect(runs.map((r) => r.error?.code)).toEqual(Array(4).fill('MIIO_ERR_CHECK_BAD_RESULT'));
  });

  it('keeps findings only from fail runs and runs every check in order', () => {
    const m1 = meta('first-check');
    const m2 = meta('second-check');
    const sneaky: Check = { meta: m1, run: (c) => ({ run: outcome(m1, c).pass('x').run, findings: [toFinding(m1, c, { a: 1 })] }) };
    const failing = createCheck(m2, (c, m) => outcome(m, c).fail([toFinding(m, c, { port: 23, skip: undefined }, { subject: 'p23', confidence: 'certain' })]));
    const { runs, findings } = runChecks(ctx, [sneaky, failing]);
    expect(runs.map((r) => [r.checkId, r.status])).toEqual([['first-check', 'pass'], ['second-check', 'fail']]);
    expect(findings).toEqual([
      { checkId: 'second-check', severity: 'low', title: 'T', ip: '10.0.0.2', deviceId: '7', mac: null, evidence: { port: 23 }, remediation: 'Do the thing.', references: ['https://example.org/ref'], confidence: 'certain', subject: 'p23' },
    ]);
  });

  it('scrubSecrets keeps longer hex runs such as git commits in reference URLs', () => {
    const url = 'https://github.com/AlexxIT/XiaomiGateway3/blob/97c7986752e78d8198c5f863ac67e13ade231cd0/README.md';
    expect(scrubSecrets({ references: [url] })).toEqual({ references: [url] });
    // A gist id is exactly 32 hex: kept in references (ours), redacted anywhere else (could be device data).
    const gist = 'https://gist.github.com/zvldz/1bd6b21539f84339c218f9427e022709';
    expect(scrubSecrets({ references: [gist], evidence: { banner: gist } })).toEqual({ references: [gist], evidence: { banner: 'https://gist.github.com/zvldz/[redacted]' } });
  });

  it('scrubSecrets replaces 32-hex runs and serialises Token-like objects via toJSON', () => {
    const tokenLike = { toJSON: () => 'tok:abcdefabcdef' };
    expect(scrubSecrets({ a: 'x 00112233445566778899AABBCCDDEEFF y', t: tokenLike, n: 5, fp: 'tok:0123456789ab' })).toEqual({ a: 'x [redacted] y', t: 'tok:abcdefabcdef', n: 5, fp: 'tok:0123456789ab' });
  });
});

describe('toPortObservation', () => {
  it('maps probe details onto what checks read; closed ports vanish', async () => {
    const { toPortObservation } = await import('./adapt.js');
    expect(toPortObservation({ port: 23, protocol: 'tcp', open: false, service: 'telnet', banner: null, details: null })).toBeNull();
    expect(toPortObservation({ port: 22, protocol: 'tcp', open: true, service: 'ssh', banner: 'SSH-2.0-dropbear_2019.78', details: { kind: 'ssh', protocolVersion: '2.0', software: 'dropbear_2019.78' } })?.details).toEqual({ sshVersion: 'SSH-2.0-dropbear_2019.78' });
    expect(toPortObservation({ port: 554, protocol: 'tcp', open: true, service: 'rtsp', banner: null, details: { kind: 'rtsp', status: 200, authRequired: false, describe: { status: 200, sdp: true } } })?.details).toEqual({ rtspAuth: false });
    expect(toPortObservation({ port: 554, protocol: 'tcp', open: true, service: 'rtsp', banner: null, details: { kind: 'rtsp', status: 200, authRequired: false, describe: { status: 401, sdp: false } } })?.details).toEqual({ rtspAuth: true });
    expect(toPortObservation({ port: 1883, protocol: 'tcp', open: true, service: 'mqtt', banner: null, details: { kind: 'mqtt', returnCode: 0 } })?.details).toEqual({ mqttConnack: 0 });
    expect(toPortObservation({ port: 80, protocol: 'tcp', open: true, service: 'http', banner: null, details: { kind: 'http', status: 401, server: 'nginx' } })?.details).toEqual({ httpStatus: 401, httpServer: 'nginx' });
    expect(toPortObservation({ port: 21, protocol: 'tcp', open: true, service: 'ftp', banner: '220', details: { kind: 'ftp' } })).toEqual({ port: 21, protocol: 'tcp', service: 'ftp', banner: '220', open: true });
  });
});

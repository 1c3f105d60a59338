import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AdvisoryError } from './errors.js';
import { DEFAULT_ADVISORY_DIR, loadAdvisoryDatabase, loadAdvisoryDatabaseSync } from './load.js';
import { isAllVersions, matchAdvisories, nameMatches, newestKnownVersion } from './match.js';
import type { AdvisorySubject } from './match.js';
import { createAdvisoryDatabase, findAdvisory, parseAdvisory } from './validate.js';

const db = loadAdvisoryDatabaseSync();
const ids = (s: AdvisorySubject): string[] => matchAdvisories(db, s).map((m) => m.advisory.id);
const byId = (s: AdvisorySubject): Record<string, string> =>
  Object.fromEntries(matchAdvisories(db, s).map((m) => [m.advisory.id, `${m.verdict}/${m.confidence}`]));
const ROUTER_DATE_CUTOFF = ['XMSA-0022', 'XMSA-0023', 'XMSA-0024', 'XMSA-0025'];

describe('advisory data + loader', () => {
  it('loads all 48 records, sorted, each with references and kept research notes', async () => {
    const asyncDb = await loadAdvisoryDatabase();
    expect(asyncDb.advisories.map((a) => a.id)).toEqual(db.advisories.map((a) => a.id));
    expect(db.advisories).toHaveLength(48);
    expect(db.advisories.filter((a) => a.database_specific.kind === 'exposure-check')).toHaveLength(6);
    expect(db.advisories.filter((a) => a.aliases.some((x) => x.startsWith('CVE-')))).toHaveLength(31);
    for (const a of db.advisories) {
      expect(a.id).toMatch(/^XMSA-\d{4}$/);
      expect(a.references.length).toBeGreaterThan(0);
      expect(a.database_specific.reference_notes.map((n) => n.url)).toEqual(a.references.map((r) => r.url));
    }
    // 164 references in the research file, none dropped.
    expect(db.advisories.reduce((n, a) => n + a.references.length, 0)).toBe(164);
  });

  it('indexes by XMSA id, CVE alias and research id', () => {
    expect(findAdvisory(db, 'CVE-2020-14110')?.id).toBe('XMSA-0010');
    expect(findAdvisory(db, 'XMSA-0010')?.aliases).toEqual(['CVE-2020-14110']);
    expect(findAdvisory(db, 'x_EXPOSE-YEELIGHT-LAN-CONTROL')?.id).toBe('XMSA-0043');
    expect(findAdvisory(db, 'CVE-1999-0001')).toBeUndefined();
  });

  describe('rejects bad data with stable codes', () => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
    const sample = JSON.parse(readFileSync(join(fileURLToPath(DEFAULT_ADVISORY_DIR), 'XMSA-0001.json'), 'utf8')) as Record<string, any>;
    const dirWith = (files: Record<string, string>): string => {
      const d = mkdtempSync(join(tmpdir(), 'xmsa-'));
      dirs.push(d);
      for (const [n, t] of Object.entries(files)) writeFileSync(join(d, n), t);
      return d;
    };
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(AdvisoryError);
        return (e as AdvisoryError).code;
      }
      return 'no error';
    };
    const mutated = (f: (o: Record<string, any>) => void): Record<string, any> => {
      const o = structuredClone(sample);
      f(o);
      return o;
    };

    it.each([
      ['bad id', (o: any) => { o.id = 'CVE-2019-18370'; }],
      ['bad severity level', (o: any) => { o.database_specific.severity.level = 'severe'; }],
      ['unparseable fixed version', (o: any) => { o.affected[0].ranges[0].events[1] = { fixed: 'build 4004' }; }],
      ['event with two keys', (o: any) => { o.affected[0].ranges[0].events[1] = { fixed: '1.0', introduced: '0' }; }],
      ['unknown ecosystem', (o: any) => { o.affected[0].package.ecosystem = 'npm'; }],
      ['non-URL reference', (o: any) => { o.references[0].url = 'see CVE record'; }],
      ['no references', (o: any) => { o.references = []; }],
      ['dropped research note', (o: any) => { o.database_specific.reference_notes.pop(); }],
      ['no version data', (o: any) => { delete o.affected[0].ranges; }],
      ['bad precondition port', (o: any) => { o.database_specific.requires_open_tcp = [0]; }],
    ])('invalid record: %s', (_n, f) => {
      expect(code(() => parseAdvisory(mutated(f), 'x.json'))).toBe('MIIO_ERR_ADVISORY_INVALID');
    });

    it('names the file and JSON path', () => {
      expect(() => parseAdvisory(mutated((o) => { o.affected[0].package.ecosystem = 'npm'; }), 'XMSA-0001.json')).toThrow(
        /XMSA-0001\.json: affected\[0\]\.package\.ecosystem/,
      );
    });

    it('duplicate ids and aliases', () => {
      const a = parseAdvisory(sample);
      expect(code(() => createAdvisoryDatabase([a, a]))).toBe('MIIO_ERR_ADVISORY_DUPLICATE');
      const b = parseAdvisory(mutated((o) => { o.id = 'XMSA-9999'; }));
      expect(code(() => createAdvisoryDatabase([a, b]))).toBe('MIIO_ERR_ADVISORY_DUPLICATE'); // same CVE alias
    });

    it('files: bad JSON, wrong file name, missing directory', async () => {
      expect(code(() => loadAdvisoryDatabaseSync({ dir: dirWith({ 'XMSA-0001.json': '{not json' }) }))).toBe('MIIO_ERR_ADVISORY_READ');
      expect(code(() => loadAdvisoryDatabaseSync({ dir: dirWith({ 'XMSA-0002.json': JSON.stringify(sample) }) }))).toBe('MIIO_ERR_ADVISORY_INVALID');
      expect(code(() => loadAdvisoryDatabaseSync({ dir: '/nonexistent/xmscan' }))).toBe('MIIO_ERR_ADVISORY_READ');
      await expect(loadAdvisoryDatabase({ dir: '/nonexistent/xmscan' })).rejects.toMatchObject({ code: 'MIIO_ERR_ADVISORY_READ' });
      const ok = loadAdvisoryDatabaseSync({ dir: dirWith({ 'XMSA-0001.json': JSON.stringify(sample), 'README.md': '# not a record' }) });
      expect(ok.advisories).toHaveLength(1);
    });
  });
});

describe('matchAdvisories', () => {
  it('AX3600 (R3600) on 1.0.17: every CVE with a later fix, certain; =1.0.50 record not', () => {
    const m = byId({ routerHardware: 'R3600', routerRomVersion: '1.0.17' });
    for (const id of ['XMSA-0003', 'XMSA-0004', 'XMSA-0005', 'XMSA-0006', 'XMSA-0007', 'XMSA-0009', 'XMSA-0010', 'XMSA-0011', 'XMSA-0012', 'XMSA-0013', 'XMSA-0014']) {
      expect(m[id], id).toBe('affected/certain');
    }
    expect(m['XMSA-0008']).toBeUndefined(); // CVE-2020-14104 only =1.0.50
    for (const id of ROUTER_DATE_CUTOFF) expect(m[id]).toBe('possibly-affected/possible'); // "before 2023.2"
    expect(m['XMSA-0026']).toBeUndefined(); // needs telnet/ssh open
    expect(m['XMSA-0001']).toBeUndefined(); // other hardware
  });

  it('AX3600 boundaries: fixed is exclusive, last_affected inclusive', () => {
    expect(byId({ routerHardware: 'R3600', routerRomVersion: '1.0.50' })['XMSA-0008']).toBe('affected/certain');
    expect(byId({ routerHardware: 'R3600', routerRomVersion: '1.0.50' })['XMSA-0003']).toBeUndefined();
    const at1112 = byId({ routerHardware: 'r3600', routerRomVersion: '1.1.12' });
    expect(at1112['XMSA-0009']).toBe('affected/certain'); // ≤ 1.1.12
    expect(at1112['XMSA-0011']).toBe('affected/certain'); // < 1.1.15
    expect(at1112['XMSA-0013']).toBeUndefined(); // < 1.1.12
    const current = ids({ routerHardware: 'R3600', routerRomVersion: '3.0.22' });
    expect(current).toEqual(ROUTER_DATE_CUTOFF);
  });

  it('AX9000 (RA70): gap between last_affected and fixed is only possible', () => {
    expect(byId({ routerHardware: 'RA70', routerRomVersion: '1.0.168' })['XMSA-0021']).toBe('affected/certain');
    expect(byId({ routerHardware: 'RA70', routerRomVersion: '1.0.170' })['XMSA-0021']).toBe('possibly-affected/possible');
    expect(byId({ routerHardware: 'RA70', routerRomVersion: '1.0.174' })['XMSA-0021']).toBeUndefined();
  });

  it('reported lists match exactly, per model, never interpolated', () => {
    expect(byId({ routerHardware: 'R4A', routerRomVersion: '3.2.30' })['XMSA-0001']).toBe('affected/likely');
    expect(byId({ routerHardware: 'R4A', routerRomVersion: '3.10.18' })['XMSA-0001']).toBe('affected/likely');
    expect(byId({ routerHardware: 'R4A', routerRomVersion: '3.2.26' })['XMSA-0001']).toBeUndefined(); // reported not working
    expect(byId({ routerHardware: 'R4C', routerRomVersion: '3.0.24' })['XMSA-0001']).toBeUndefined(); // an R4A version
    expect(byId({ routerHardware: 'R3L', routerRomVersion: '2.8.51_INT' })['XMSA-0001']).toBe('affected/likely');
    expect(byId({ routerHardware: 'R3L', routerRomVersion: '2.8.51' })['XMSA-0001']).toBeUndefined(); // channel named
    expect(byId({ routerHardware: 'R3G', routerRomVersion: '2.28.22' })['XMSA-0001']).toBe('affected/certain');
    expect(byId({ routerHardware: 'R3G', routerRomVersion: '2.28.23-stable' })['XMSA-0001']).toBeUndefined();
  });

  it('Multimode Gateway: integration thresholds are likely, not certain', () => {
    const old = byId({ miioModel: 'lumi.gateway.mgl03', miioFirmware: '1.4.5_0016' });
    expect(old['XMSA-0027']).toBe('affected/likely');
    expect(old['XMSA-0028']).toBe('affected/likely');
    expect(old['XMSA-0029']).toBeUndefined(); // telnet not open
    const mid = byId({ miioModel: 'lumi.gateway.mgl03', miioFirmware: '1.4.7_0065' });
    expect(mid['XMSA-0027']).toBeUndefined();
    expect(mid['XMSA-0028']).toBe('affected/likely'); // < 1.5.5
    expect(ids({ miioModel: 'lumi.gateway.mgl03', miioFirmware: '1.5.5_0006' })).toEqual([]);
    const button = byId({ miioModel: 'lumi.gateway.mgl03', miioFirmware: '1.5.6_0001', openTcpPorts: [23] });
    expect(button['XMSA-0029']).toBe('affected/likely');
    expect(byId({ miioModel: 'lumi.gateway.mgl03', miioFirmware: '1.5.6_0002', openTcpPorts: [23] })['XMSA-0029']).toBeUndefined();
  });

  it('no token: every model record is "may be affected" at possible confidence', () => {
    const m = matchAdvisories(db, { miioModel: 'lumi.gateway.mgl03' });
    expect(m.map((x) => x.advisory.id)).toEqual(['XMSA-0027', 'XMSA-0028']);
    for (const x of m) {
      expect(x.verdict).toBe('possibly-affected');
      expect(x.confidence).toBe('possible');
      expect(x.reason).toMatch(/unknown/);
    }
  });

  it('vacuums compare by build (roborock scheme)', () => {
    const gen1 = byId({ miioModel: 'rockrobo.vacuum.v1', miioFirmware: '3.3.9_003073' });
    expect(gen1['XMSA-0037']).toBe('affected/likely'); // < build 4004
    expect(gen1['XMSA-0038']).toBe('affected/likely'); // < 3.3.9_003077 (token in hello)
    expect(ids({ miioModel: 'rockrobo.vacuum.v1', miioFirmware: '3.5.8_004018' })).toEqual([]);
    expect(byId({ miioModel: 'roborock.vacuum.s5', miioFirmware: '3.3.9_001886' })['XMSA-0037']).toBe('affected/likely');
    expect(ids({ miioModel: 'roborock.vacuum.s5', miioFirmware: '3.5.8_002034' })).toEqual([]);
  });

  it('wildcard and unverified model ids never give certain', () => {
    const speaker = byId({ miioModel: 'xiaomi.wifispeaker.lx06', miioFirmware: '1.52.4' });
    expect(speaker['XMSA-0039']).toBe('affected/likely'); // xiaomi.wifispeaker.* < 1.59.6
    expect(speaker['XMSA-0041']).toBe('affected/likely'); // exact reported version, model unverified
    expect(speaker['XMSA-0040']).toBeUndefined(); // 1.58.10 only
    expect(ids({ miioModel: 'xiaomi.wifispeaker.lx06', miioFirmware: '1.59.6' })).toEqual([]);
    const zigbee = matchAdvisories(db, { miioModel: 'lumi.gateway.v3', miioFirmware: '1.4.1_170' });
    expect(zigbee.map((x) => [x.advisory.id, x.confidence, x.severity])).toEqual([
      ['XMSA-0030', 'possible', 'info'],
      ['XMSA-0031', 'possible', 'info'],
    ]);
  });

  it('preconditions: Dafang and router root password need an open port', () => {
    expect(ids({ miioModel: 'isa.camera.df3', miioFirmware: '1.0.0' })).toEqual([]);
    expect(byId({ miioModel: 'isa.camera.df3', openTcpPorts: [8554] })['XMSA-0035']).toBe('affected/likely');
    expect(byId({ routerHardware: 'RB03', routerRomVersion: '1.0.54', openTcpPorts: [22] })['XMSA-0026']).toBe('possibly-affected/possible');
  });

  it('unparseable device versions are never asserted', () => {
    const m = byId({ routerHardware: 'R3600', routerRomVersion: '1.0_nocloud' });
    for (const v of Object.values(m)) expect(v).toBe('possibly-affected/possible');
    expect(Object.keys(m)).toContain('XMSA-0010');
  });

  it('exposure-check records are left to their checks unless asked for', () => {
    expect(ids({ miioModel: 'yeelink.light.color1', miioFirmware: '1.0.0' })).toEqual([]);
    expect(matchAdvisories(db, { miioModel: 'yeelink.light.color1' }, { includeExposureChecks: true }).map((m) => m.advisory.id)).toEqual(['XMSA-0043']);
  });

  it('prose products and empty identities match nothing', () => {
    expect(ids({})).toEqual([]);
    expect(ids({ miioModel: '  ', routerHardware: '' })).toEqual([]);
    expect(ids({ miioModel: 'Xiaomi Lamp 1', miioFirmware: '2.0.4_0066' })).toEqual([]);
  });

  it('no possibly-affected match is ever certain (all models × odd versions)', () => {
    const names = new Set<string>();
    for (const a of db.advisories) for (const e of a.affected) names.add(`${e.package.ecosystem}|${e.package.name.replace('*', 'x')}`);
    for (const n of names) {
      const [eco, name] = n.split('|') as [string, string];
      for (const v of [undefined, '0', '1.0.0', '9.9.9_9999', 'junk', '1.0.26', '3.3.9_003077']) {
        const s: AdvisorySubject = eco === 'x-miio' ? { miioModel: name, miioFirmware: v ?? null, openTcpPorts: [21, 22, 23, 443, 8554] } : { routerHardware: name, routerRomVersion: v ?? null, openTcpPorts: [22, 23] };
        for (const m of matchAdvisories(db, s, { includeExposureChecks: true })) {
          if (m.verdict === 'possibly-affected') expect(m.confidence).toBe('possible');
          const everyVersion = (m.affected.ranges ?? []).some(isAllVersions);
          if ((v === undefined || v === 'junk') && !everyVersion) expect(m.verdict).toBe('possibly-affected');
        }
      }
    }
  });
});

describe('helpers', () => {
  it('nameMatches', () => {
    expect(nameMatches('yeelink.light.*', 'yeelink.light.color1')).toBe(true);
    expect(nameMatches('yeelink.light.*', 'yeelink.light.')).toBe(false);
    expect(nameMatches('yeelink.light.*', 'yeelink.lightx.a')).toBe(false);
    expect(nameMatches('R3600', 'r3600')).toBe(true);
    expect(nameMatches('*', 'RB03')).toBe(true);
  });

  it('newestKnownVersion', () => {
    expect(newestKnownVersion(db, 'x-miwifi-hardware', 'R3600')?.version).toBe('1.1.15');
    expect(newestKnownVersion(db, 'x-miio', 'lumi.gateway.mgl03')?.version).toBe('1.5.6_0001');
    expect(newestKnownVersion(db, 'x-miio', 'rockrobo.vacuum.v1')).toMatchObject({ version: '0_4004', scheme: 'roborock' });
    expect(newestKnownVersion(db, 'x-miio', 'yeelink.light.color1')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { compareFirmwareVersions, firmwareVersionMatches, parseFirmwareVersion, versionSchemeForModel } from './version.js';

describe('parseFirmwareVersion', () => {
  it.each([
    // every format listed in advisories.md §4
    ['1.4.6_0043', [1, 4, 6], [43], ''], // Multimode Gateway
    ['1.3.9_0005', [1, 3, 9], [5], ''], // plug
    ['4.0.1_0001', [4, 0, 1], [1], ''], // Aqara E1 (Mi Home namespace)
    ['3.3.9_001768', [3, 3, 9], [1768], ''], // Roborock 6-digit build
    ['4.1.2_1662', [4, 1, 2], [1662], ''], // Roborock newer 4-digit build
    ['3.2.7_0019.0004', [3, 2, 7], [19, 4], ''], // Aqara G3 sub-build
    ['3.5.1_00.66', [3, 5, 1], [0, 66], ''], // Mijia 1080p odd sub-build
    ['3.3.2_2016071217', [3, 3, 2], [2016071217], ''], // Mijia 360 720p date build
    ['2.28.62', [2, 28, 62], [], ''], // MiWiFi romversion
    ['1.0.336', [1, 0, 336], [], ''],
    ['2.8.51_INT', [2, 8, 51], [], 'int'], // channel after _
    ['1.3.8CN', [1, 3, 8], [], 'cn'], // channel glued on
    ['2.28.23-stable', [2, 28, 23], [], 'stable'], // channel after -
    ['18', [18], [], ''], // Yeelight integer
    ['v3.1.4', [3, 1, 4], [], ''],
    [' 1.0.54 ', [1, 0, 54], [], ''],
  ])('%s', (text, core, build, tag) => {
    expect(parseFirmwareVersion(text)).toEqual({ core, build, tag });
  });

  it.each([
    ['1.0_nocloud'], // python-miio dummy: not a release
    ['1.5.0-dev(7efd021)'],
    ['SD878x-14.76.36.p84-702.1.0-WM'], // wifi_fw_ver, a different field
    ['v3.1.4-56-g8ffb04960'],
    ['WifiVer.N/A'],
    ['2023.2 (date)'],
    [''],
    ['1..2'],
    ['1.2.'],
    ['_0043'],
    ['1.2.3_beta'],
    ['9'.repeat(70)],
  ])('unknown: %s', (text) => {
    expect(parseFirmwareVersion(text)).toBeNull();
  });

  it('non-strings are unknown', () => {
    expect(parseFirmwareVersion(undefined)).toBeNull();
    expect(parseFirmwareVersion(18)).toBeNull();
    expect(parseFirmwareVersion(null)).toBeNull();
  });
});

describe('compareFirmwareVersions (default scheme)', () => {
  it.each([
    // the cases that break string order or SemVer (advisories.md §4)
    ['3.10.18', '3.2.30', 1],
    ['3.2.26', '3.2.30', -1],
    ['2.28.132', '2.28.65', 1],
    ['1.0.336', '1.0.26', 1],
    ['1.1.15', '1.1.12', 1],
    ['1.0.67', '1.0.66', 1],
    // builds
    ['1.4.6_0043', '1.4.6_0040', 1],
    ['1.4.7_0040', '1.4.6_0043', 1], // core decides first
    ['1.5.5_0006', '1.5.5', 1], // missing build counts as 0
    ['1.5.5', '1.5.5_0000', 0],
    ['1.5.5', '1.5.5.0', 0], // missing core component counts as 0
    ['1.4.5_0016', '1.4.6_0043', -1],
    ['3.2.7_0019.0004', '3.2.7_0019.0003', 1],
    ['3.3.4_0007.0004', '3.3.2_0003.0004', 1],
    ['3.5.1_00.66', '3.5.1_00.7', 1], // compared numerically (66 > 7), §4 rule 5
    ['3.3.2_2016081814', '3.3.2_2016071217', 1],
    // channels are not order
    ['2.8.51_INT', '2.8.51', 0],
    ['2.28.23-stable', '2.28.23', 0],
    ['1.3.8CN', '1.3.9', -1],
    // Yeelight integers
    ['45', '18', 1],
    ['51', '51', 0],
    ['0', '1.0.0', -1],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareFirmwareVersions(a, b)).toBe(expected);
    expect(compareFirmwareVersions(b, a)).toBe(-expected || 0);
  });

  it('unknown on either side gives null, never an order', () => {
    expect(compareFirmwareVersions('1.0_nocloud', '1.0.0')).toBeNull();
    expect(compareFirmwareVersions('1.0.0', 'SD878x-14.76.36.p84-702.1.0-WM')).toBeNull();
  });
});

describe('compareFirmwareVersions (roborock scheme)', () => {
  it.each([
    // prefix is the miio_client version, the build after _ decides (Valetudo #449)
    ['3.5.8_004018', '4.1.2_1662', 1],
    ['3.5.8_002034', '3.5.8_004018', -1],
    ['3.3.9_003073', '3.3.9_003077', -1],
    ['3.5.8_5850', '3.5.8_004018', 1],
    ['3.5.7_002008', '3.5.8_002008', -1], // equal build: core breaks the tie
    ['3.3.9_001768', '0_1910', -1], // Gen2 OTA threshold build 1910
    ['3.5.8_002034', '0_1910', 1],
    ['3.3.9_004004', '0_4004', 1], // same build, core higher: not below the threshold
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareFirmwareVersions(a, b, 'roborock')).toBe(expected);
  });

  it('differs from the default scheme where it must', () => {
    expect(compareFirmwareVersions('3.5.8_004018', '4.1.2_1662')).toBe(-1);
    expect(compareFirmwareVersions('3.5.8_004018', '4.1.2_1662', 'roborock')).toBe(1);
  });

  it('picks the scheme by model', () => {
    expect(versionSchemeForModel('rockrobo.vacuum.v1')).toBe('roborock');
    expect(versionSchemeForModel('roborock.vacuum.s5e')).toBe('roborock');
    expect(versionSchemeForModel('dreame.vacuum.p2008')).toBe('default');
    expect(versionSchemeForModel('lumi.gateway.mgl03')).toBe('default');
    expect(versionSchemeForModel(null)).toBe('default');
  });
});

describe('firmwareVersionMatches (reported-affected lists)', () => {
  it('matches exactly, honouring a named channel', () => {
    expect(firmwareVersionMatches('2.8.51_INT', '2.8.51_INT')).toBe(true);
    expect(firmwareVersionMatches('2.8.51', '2.8.51_INT')).toBe(false); // listed channel must match
    expect(firmwareVersionMatches('2.8.51_INT', '2.8.51')).toBe(true); // list without channel: any
    expect(firmwareVersionMatches('1.3.8cn', '1.3.8CN')).toBe(true);
    expect(firmwareVersionMatches('3.4.2_0062', '3.4.2_0062')).toBe(true);
    expect(firmwareVersionMatches('3.4.2_0063', '3.4.2_0062')).toBe(false);
    expect(firmwareVersionMatches('3.2.26', '3.2.30')).toBe(false);
    expect(firmwareVersionMatches('junk', '3.2.30')).toBeNull();
  });
});

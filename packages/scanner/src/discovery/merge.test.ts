import { describe, expect, it } from 'vitest';
import { mergeSightings, type MacClassifier } from './merge.js';
import { emptySighting, type Sighting, type SourceName } from './sighting.js';

const classify: MacClassifier = (mac) =>
  mac.startsWith('78:11:DC') ? { vendor: 'XIAOMI Electronics,CO.,LTD', xiaomiFamily: 'strong' } : { vendor: null, xiaomiFamily: null };

let t = 0;
function s(source: SourceName, fields: Partial<Sighting>): Sighting {
  return { ...emptySighting(source, ++t), ...fields };
}

describe('mergeSightings', () => {
  it('one record per did across hello, mDNS and ARP (ARP joins through the IP)', () => {
    const recs = mergeSightings(
      [
        s('hello-sweep', { ip: '10.0.0.21', deviceId: '277962183' }),
        s('mdns', { ip: '10.0.0.21', deviceId: '277962183', mac: '78:11:DC:12:34:56', model: 'roborock.vacuum.s5', names: ['roborock-vacuum-s5_miio277962183'] }),
        s('arp', { ip: '10.0.0.21', mac: '78:11:DC:12:34:56' }),
        s('hello-broadcast', { ip: '10.0.0.21', deviceId: '277962183' }),
      ],
      classify,
    );
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      key: 'did:277962183',
      ip: '10.0.0.21',
      mac: '78:11:DC:12:34:56',
      vendor: 'XIAOMI Electronics,CO.,LTD',
      xiaomiFamily: 'strong',
      deviceId: '277962183',
      model: 'roborock.vacuum.s5',
      sources: ['hello-sweep', 'mdns', 'arp', 'hello-broadcast'],
      conflicts: [],
    });
  });

  it('keeps conflicts visible: two MACs for one did, ARP believed first', () => {
    const recs = mergeSightings(
      [
        s('mdns', { ip: '10.0.0.5', deviceId: '42', mac: '12:B4:29:35:44:65' }),
        s('hello-sweep', { ip: '10.0.0.5', deviceId: '42' }),
        s('arp', { ip: '10.0.0.5', mac: '78:11:DC:00:00:05' }),
      ],
      classify,
    );
    expect(recs).toHaveLength(1);
    expect(recs[0]!.mac).toBe('78:11:DC:00:00:05');
    expect(recs[0]!.conflicts).toEqual([
      { field: 'mac', values: [{ value: '12:B4:29:35:44:65', sources: ['mdns'] }, { value: '78:11:DC:00:00:05', sources: ['arp'] }] },
    ]);
  });

  it('two dids at one IP stay two records; the IP-only ARP sighting joins one of them', () => {
    const recs = mergeSightings(
      [s('hello-sweep', { ip: '10.0.0.7', deviceId: '1' }), s('yeelight', { ip: '10.0.0.7', deviceId: '2', model: 'color' })],
      classify,
    );
    expect(recs.map((r) => r.key)).toEqual(['did:1', 'did:2']);
  });

  it('did-less sightings key by MAC, then IP; the hello source address beats a claimed IP', () => {
    const recs = mergeSightings(
      [
        s('lumi', { ip: '10.0.0.9', mac: '78:11:DC:B0:79:17', model: 'gateway' }),
        s('arp', { ip: '10.0.0.9', mac: '78:11:DC:B0:79:17' }),
        s('arp', { ip: '10.0.0.10', mac: 'AA:00:00:00:00:10' }),
        s('hello-sweep', { ip: '10.0.0.11', deviceId: '77' }),
        s('mdns', { ip: '10.0.0.99', deviceId: '77', model: 'lumi.gateway.v3' }),
      ],
      classify,
    );
    expect(recs.map((r) => r.key)).toEqual(['did:77', 'mac:78:11:DC:B0:79:17', 'mac:AA:00:00:00:00:10']);
    const did = recs[0]!;
    expect(did.ip).toBe('10.0.0.11');
    expect(did.conflicts).toEqual([
      { field: 'ip', values: [{ value: '10.0.0.11', sources: ['hello-sweep'] }, { value: '10.0.0.99', sources: ['mdns'] }] },
    ]);
    expect(recs[1]).toMatchObject({ model: 'gateway', sources: ['lumi', 'arp'], xiaomiFamily: 'strong' });
    expect(recs[2]).toMatchObject({ vendor: null, xiaomiFamily: null });
  });

  it('model: mDNS beats Yeelight; sightings with no key are dropped', () => {
    const recs = mergeSightings(
      [
        s('yeelight', { ip: '10.0.0.3', deviceId: '1385535', model: 'color' }),
        s('mdns', { ip: '10.0.0.3', deviceId: '1385535', model: 'yeelink.light.color1' }),
        s('mdns', {}),
      ],
      classify,
    );
    expect(recs).toHaveLength(1);
    expect(recs[0]!.model).toBe('yeelink.light.color1');
    // A logical Yeelight model does not contradict the miIO model id ...
    expect(recs[0]!.conflicts).toEqual([]);
    // ... but two different miIO model ids do.
    const two = mergeSightings(
      [s('mdns', { deviceId: '5', model: 'yeelink.light.color1' }), s('mdns-lenient', { deviceId: '5', model: 'yeelink.light.mono1' })],
      classify,
    );
    expect(two[0]!.conflicts.map((c) => c.field)).toEqual(['model']);
  });
});

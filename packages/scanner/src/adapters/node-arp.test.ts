import { afterEach, describe, expect, it } from 'vitest';
import { lookupWithNodeArp } from './node-arp.js';

const savedPath = process.env['PATH'];
afterEach(() => {
  process.env['PATH'] = savedPath;
});

describe('node-arp wrapper', () => {
  it('a missing binary is a typed SCAN_ERR_ARP, not a crash', async () => {
    process.env['PATH'] = '/nonexistent-dir';
    await expect(lookupWithNodeArp(['127.0.0.1'], new AbortController().signal)).rejects.toMatchObject({ code: 'SCAN_ERR_ARP' });
  });
});

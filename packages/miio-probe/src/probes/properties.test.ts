/** Hostile input is normal: every pure parser of the probes and the token import never throws
 * anything but its typed error, on arbitrary bytes. Short, count-boxed runs (fuzzing proper lives
 * in test/fuzz). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokensFileError, parseTokenFile } from '../tokens/index.js';
import { dechunk, extractTitle, parseResponseHead } from './http-message.js';
import { parseIam, parseReadReply } from './lumi.js';
import { decodeConnack } from './mqtt.js';
import { cleanText, sanitiseBanner } from './read.js';
import { parseInitInfo } from './router.js';
import { serviceFromBanner } from './services.js';
import { parseSshBanner } from './ssh.js';
import { TelnetDecoder, looksLikePrompt, telnetHostname } from './telnet.js';
import { parseYeelightReply } from './yeelight.js';

const bytes = fc.uint8Array({ maxLength: 2048 });
const RUNS = { numRuns: 300 };

describe('parsers never throw on arbitrary bytes', () => {
  it('banners, heads, CONNACK, telnet, lumi, yeelight', () => {
    fc.assert(
      fc.property(bytes, (u) => {
        const b = Buffer.from(u);
        parseSshBanner(b);
        parseResponseHead(b);
        parseResponseHead(b, { partial: true });
        extractTitle(b);
        dechunk(b, 1024);
        decodeConnack(b);
        serviceFromBanner(b);
        parseIam(b);
        parseReadReply(b);
        parseYeelightReply(b.toString('latin1'));
        const d = new TelnetDecoder();
        const out = d.push(b);
        expect(out.reply.length % 3).toBe(0); // only whole IAC WONT/DONT triples
        looksLikePrompt(b.toString('latin1'));
        telnetHostname(b.toString('latin1'));
        const s = sanitiseBanner(b);
        expect(s).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\xff]/);
        expect(cleanText(b)).not.toMatch(/[\x00-\x1f\x7f]/);
      }),
      RUNS,
    );
  });

  it('telnet replies only refuse (WONT/DONT), whatever is pushed, in any split', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 16 }), (chunks) => {
        const d = new TelnetDecoder();
        for (const c of chunks) {
          const { reply } = d.push(c);
          for (let i = 0; i < reply.length; i += 3) {
            expect(reply[i]).toBe(0xff);
            expect([0xfc, 0xfe]).toContain(reply[i + 1]);
          }
        }
      }),
      RUNS,
    );
  });

  it('init_info parser on arbitrary JSON objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('id', 'hardware', 'romversion', 'inited', 'model', 'code', 'countrycode', 'x'), fc.jsonValue()), (obj) => {
        const info = parseInitInfo(obj as Record<string, unknown>, '/p');
        if (info && typeof obj['id'] === 'string' && obj['id'].trim().length >= 8) {
          expect(JSON.stringify(info)).not.toContain(obj['id'].trim());
        }
      }),
      RUNS,
    );
  });

  it('token files: only TokensFileError, and never the token in the message', () => {
    const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
    const doc = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.tuple(hex32, fc.string({ maxLength: 40 })).map(([t, junk]) => `[{"did": "1", "token": "${t}${junk}"}]`),
      fc.tuple(hex32, fc.string({ maxLength: 40 })).map(([t, junk]) => `did,token\n${junk},${t}`),
      fc.tuple(hex32, fc.string({ maxLength: 40 })).map(([t, junk]) => `NAME: x\nID: ${junk}\nTOKEN: ${t}${junk}\n`),
    );
    fc.assert(
      fc.property(doc, (text) => {
        try {
          const p = parseTokenFile(text, 'f');
          expect(p.entries.length).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(TokensFileError);
          const hexes = text.match(/[0-9a-f]{32}/gi) ?? [];
          for (const h of hexes) expect((e as Error).message.toLowerCase()).not.toContain(h.toLowerCase());
        }
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Telnet option negotiation (RFC 854/855), reduced to what a banner grab needs: strip IAC
 * sequences from the data and refuse every option. We answer DO with WONT and WILL with DONT,
 * once per option; refusing never changes device state and stops servers that wait for an answer.
 * Pure: push bytes in, get clean data and the reply bytes out.
 */

const IAC = 255;
const DONT = 254;
const DO = 253;
const WONT = 252;
const WILL = 251;
const SB = 250;
const SE = 240;
const MAX_SUBNEG = 1024;

type State = 'data' | 'iac' | 'opt' | 'sb' | 'sb-iac';

export interface TelnetPushResult {
  /** Payload bytes with every negotiation sequence removed. */
  data: Buffer;
  /** Bytes to send back (IAC WONT/DONT refusals); empty when nothing to answer. */
  reply: Buffer;
}

export class TelnetDecoder {
  #state: State = 'data';
  #verb = 0;
  #subnegLength = 0;
  readonly #answered = new Set<string>();
  /** Options the server asked about, for evidence (e.g. `DO 24`, `WILL 1`). */
  readonly negotiations: string[] = [];

  push(chunk: Uint8Array): TelnetPushResult {
    const data: number[] = [];
    const reply: number[] = [];
    for (const b of chunk) {
      switch (this.#state) {
        case 'data':
          if (b === IAC) this.#state = 'iac';
          else data.push(b);
          break;
        case 'iac':
          if (b === IAC) {
            data.push(IAC); // escaped 0xff data byte
            this.#state = 'data';
          } else if (b === DO || b === DONT || b === WILL || b === WONT) {
            this.#verb = b;
            this.#state = 'opt';
          } else if (b === SB) {
            this.#subnegLength = 0;
            this.#state = 'sb';
          } else {
            this.#state = 'data'; // NOP, GA, AYT, …: two-byte commands, nothing to answer
          }
          break;
        case 'opt': {
          const name = { [DO]: 'DO', [DONT]: 'DONT', [WILL]: 'WILL', [WONT]: 'WONT' }[this.#verb] ?? '?';
          if (this.negotiations.length < 32) this.negotiations.push(`${name} ${b}`);
          const key = `${this.#verb}:${b}`;
          if (!this.#answered.has(key) && (this.#verb === DO || this.#verb === WILL)) {
            this.#answered.add(key);
            reply.push(IAC, this.#verb === DO ? WONT : DONT, b);
          }
          this.#state = 'data';
          break;
        }
        case 'sb':
          if (b === IAC) this.#state = 'sb-iac';
          else if (++this.#subnegLength > MAX_SUBNEG) this.#state = 'data'; // runaway: give up on it
          break;
        case 'sb-iac':
          this.#state = b === SE ? 'data' : 'sb';
          break;
      }
    }
    return { data: Buffer.from(data), reply: Buffer.from(reply) };
  }
}

/** True when the text so far ends in something a person would type at: login, password or shell. */
export function looksLikePrompt(text: string): boolean {
  const tail = text.slice(-200).replace(/\s+$/, '');
  return /(login|username|user name|password|passwd)\s*:$/i.test(tail) || /[#$>%]$/.test(tail);
}

/** `Camera-Hub-G3-1234 login:` → `Camera-Hub-G3-1234` (advisories.md §3.4 uses these hostnames). */
export function telnetHostname(text: string): string | undefined {
  const m = /(?:^|\s)([A-Za-z0-9][A-Za-z0-9._-]{0,62})\s+login:\s*$/.exec(text);
  return m?.[1];
}

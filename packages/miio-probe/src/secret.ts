const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A device-supplied secret that is not a token (a router serial, from which some factory root
 * passwords derive, advisories.md §3.9). Prints only its masked form; `reveal()` is for
 * `--show-secrets`.
 */
export class SecretText {
  readonly #value: string;
  readonly masked: string;
  constructor(value: string, mask: (v: string) => string) {
    this.#value = value;
    this.masked = mask(value);
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return this.masked;
  }
  toJSON(): string {
    return this.masked;
  }
  [INSPECT](): string {
    return `SecretText(${this.masked})`;
  }
}

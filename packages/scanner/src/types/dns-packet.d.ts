// dns-packet 5 ships no types; discovery only needs decode() to tell which packets the library drops.
declare module 'dns-packet' {
  export function decode(buf: Buffer, offset?: number): unknown;
  const _default: { decode: typeof decode };
  export default _default;
}

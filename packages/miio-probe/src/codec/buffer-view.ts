/**
 * A Buffer view of the same bytes, no copy; a Buffer is returned as is (building a view costs about as much
 * as the rest of a header decode, issue 7). Internal to the codec: not re-exported by index.ts.
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** SSH identification line (RFC 4253 §4.2): `SSH-protoversion-softwareversion SP comments CR LF`. Pure. */

export interface SshBanner {
  protocolVersion: string;
  software: string;
  comments?: string;
}

/** True once the buffer holds a complete `SSH-…` line (the server speaks first; passive read). */
export function hasSshLine(data: Buffer): boolean {
  const text = data.toString('latin1');
  const at = text.indexOf('SSH-');
  return at >= 0 && text.indexOf('\n', at) > at;
}

/**
 * Find the identification line. RFC 4253 lets a server send other lines first, so every line is
 * checked; the line is capped at 255 bytes as the RFC requires. Returns null when none is found.
 */
export function parseSshBanner(data: Uint8Array): SshBanner | null {
  const text = Buffer.from(data).toString('latin1');
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '').slice(0, 255);
    const m = /^SSH-([0-9.]{1,10})-([\x21-\x7e]{1,200})(?: (.*))?$/.exec(line);
    if (m) {
      const banner: SshBanner = { protocolVersion: m[1]!, software: m[2]! };
      if (m[3] !== undefined && m[3].trim() !== '') banner.comments = m[3].replace(/[^\x20-\x7e]/g, '?').trim();
      return banner;
    }
  }
  return null;
}

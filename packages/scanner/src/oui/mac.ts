/** Pure MAC address helpers. */

/**
 * Normalise a MAC to upper-case colon form `AA:BB:CC:DD:EE:FF`. Accepts colon, dash or no
 * separators and single-digit octets as macOS `arp` prints them (`0:19:99:…`). Null otherwise,
 * and for the all-zero MAC (an `(incomplete)` ARP entry or a redacted TXT).
 */
export function normalizeMac(text: string | null | undefined): string | null {
  if (typeof text !== 'string') return null;
  const t = text.trim();
  let octets: string[];
  if (/^[0-9a-fA-F]{12}$/.test(t)) {
    octets = t.match(/../g) ?? [];
  } else {
    const parts = t.split(/[:-]/);
    if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return null;
    octets = parts.map((p) => p.padStart(2, '0'));
  }
  const mac = octets.join(':').toUpperCase();
  if (mac === '00:00:00:00:00:00') return null;
  return mac;
}

/** Locally administered bit set: a randomised or redacted MAC (protocols.md §6.1). */
export function isLocallyAdministered(mac: string): boolean {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return (first & 0x02) !== 0;
}

/** Multicast / broadcast MAC: never a host. */
export function isGroupMac(mac: string): boolean {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return (first & 0x01) !== 0;
}

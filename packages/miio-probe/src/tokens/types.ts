import type { Token } from '../codec/token.js';

/** Token file formats users already have (peers.md §1A "Token import formats", §4 item 4). */
export type TokenFileFormat =
  | 'extractor-json' // Xiaomi-cloud-tokens-extractor `-o devices.json`: [{server, homes:[{devices:[raw cloud records]}]}]
  | 'extractor-text' // the same tool's printed blocks: NAME / ID / BLE KEY / MAC / IP / TOKEN / MODEL
  | 'miiocli-cloud' // `miiocli cloud list --raw`: JSON array of raw cloud records
  | 'node-miio' // node-miio `tokens.json`: { "<deviceId>": "<hex>" }
  | 'home-assistant' // HA `.storage/core.config_entries`, `xiaomi_miio` entries
  | 'native-json' // ours: array of {token, deviceId|mac|ip, model?, name?} or a map keyed by id/MAC/IP
  | 'native-csv'; // ours: CSV with a header naming `token` and id/mac/ip columns, or `key,token[,model[,name]]`

export const TOKEN_FILE_FORMATS: readonly TokenFileFormat[] = [
  'extractor-json',
  'extractor-text',
  'miiocli-cloud',
  'node-miio',
  'home-assistant',
  'native-json',
  'native-csv',
];

export interface TokenEntrySource {
  file: string;
  format: TokenFileFormat;
  /** 0-based position among the file's device records (for CSV/text: among data rows/blocks). */
  index: number;
}

export interface TokenEntry {
  token: Token;
  /** miIO device id as a decimal string. */
  deviceId?: string;
  /** Normalised `AA:BB:CC:DD:EE:FF`. */
  mac?: string;
  /** IPv4 literal. */
  ip?: string;
  /** A host name that is not an IP literal (HA `host` may be one). */
  host?: string;
  model?: string;
  name?: string;
  source: TokenEntrySource;
}

/** A record that was deliberately not imported (e.g. a BLE/Zigbee sub-device without a miIO token). */
export interface SkippedTokenRecord {
  index: number;
  reason: string;
  /** Non-secret identity to help the user find the record. */
  deviceId?: string;
  model?: string;
}

export interface ParsedTokenFile {
  file: string;
  format: TokenFileFormat;
  entries: TokenEntry[];
  skipped: SkippedTokenRecord[];
}

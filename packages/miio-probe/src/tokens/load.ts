/**
 * Reads `--tokens FILE` arguments (the only fs access of the tokens module; `readFile` is
 * injectable). All files are read and parsed before anything is returned: one bad file fails the
 * import as a whole, naming the file.
 */
import { readFile as fsReadFile, stat as fsStat } from 'node:fs/promises';
import { TokensFileError } from './errors.js';
import { parseTokenFile } from './parse.js';
import type { ParsedTokenFile, TokenEntry, TokenFileFormat } from './types.js';

/** 16 MiB: a Home Assistant core.config_entries with many integrations stays far below this. */
export const MAX_TOKENS_FILE_BYTES = 16 * 1024 * 1024;

export interface TokenFileReader {
  size(file: string): Promise<number>;
  read(file: string): Promise<Buffer>;
}

export const fsTokenFileReader: TokenFileReader = {
  size: async (file) => {
    const s = await fsStat(file);
    if (!s.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    return s.size;
  },
  read: (file) => fsReadFile(file),
};

export interface LoadTokensOptions {
  reader?: TokenFileReader;
  maxBytes?: number;
  /** Force a format for every file instead of detecting it. */
  format?: TokenFileFormat;
}

export interface LoadedTokens {
  entries: TokenEntry[];
  files: ParsedTokenFile[];
  /** Same device id with different tokens (by fingerprint): the first file listed wins. */
  warnings: string[];
}

function describeFsError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file (ENOENT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EISDIR':
    case 'ENOTFILE':
      return 'not a regular file';
    default:
      return `cannot be read (${typeof code === 'string' ? code : 'unknown error'})`;
  }
}

export async function loadTokenFile(file: string, options: LoadTokensOptions = {}): Promise<ParsedTokenFile> {
  const reader = options.reader ?? fsTokenFileReader;
  const max = options.maxBytes ?? MAX_TOKENS_FILE_BYTES;
  let bytes: Buffer;
  try {
    const size = await reader.size(file);
    if (size > max) throw new TokensFileError({ file, problem: 'too-large', detail: `${size} bytes, limit ${max}` });
    bytes = await reader.read(file);
  } catch (e) {
    if (e instanceof TokensFileError) throw e;
    throw new TokensFileError({ file, problem: 'unreadable', detail: describeFsError(e) });
  }
  if (bytes.length > max) throw new TokensFileError({ file, problem: 'too-large', detail: `${bytes.length} bytes, limit ${max}` });
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return parseTokenFile(text, file, options.format ? { format: options.format } : {});
}

export async function loadTokenFiles(files: readonly string[], options: LoadTokensOptions = {}): Promise<LoadedTokens> {
  const parsed: ParsedTokenFile[] = [];
  for (const file of files) parsed.push(await loadTokenFile(file, options));
  const entries = parsed.flatMap((p) => p.entries);
  const warnings: string[] = [];
  const byDid = new Map<string, TokenEntry>();
  for (const e of entries) {
    if (e.deviceId === undefined) continue;
    const prev = byDid.get(e.deviceId);
    if (!prev) byDid.set(e.deviceId, e);
    else if (!prev.token.equals(e.token)) {
      warnings.push(
        `device ${e.deviceId}: ${e.source.file} has a different token (${e.token.fingerprint}) than ${prev.source.file} (${prev.token.fingerprint}); using the first`,
      );
    }
  }
  return { entries, files: parsed, warnings };
}

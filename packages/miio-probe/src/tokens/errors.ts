import { MiioError } from '../codec/errors.js';
import type { TokenFileFormat } from './types.js';

/** What is wrong with a tokens file. */
export type TokensFileProblem =
  | 'unreadable' // missing, a directory, no permission
  | 'too-large' // over the size cap
  | 'unknown-format' // none of the known formats
  | 'malformed' // the format is known but the structure is broken (bad JSON, wrong shape)
  | 'bad-entry' // one entry of a user-written file is invalid (bad token, no identity)
  | 'empty'; // parsed, but not one usable token

/**
 * A tokens file (`--tokens FILE`) that cannot be imported. All-or-nothing: no partial import.
 * The message names the file and the problem and never contains file content (so never a token).
 */
export class TokensFileError extends MiioError {
  declare readonly code: 'MIIO_ERR_TOKENS_FILE';
  readonly file: string;
  readonly problem: TokensFileProblem;
  readonly format: TokenFileFormat | undefined;
  /** 0-based entry index within the file's device list, when one entry is at fault. */
  readonly index: number | undefined;
  /** 1-based line, for line-oriented formats. */
  readonly line: number | undefined;

  constructor(fields: {
    file: string;
    problem: TokensFileProblem;
    detail: string;
    format?: TokenFileFormat | undefined;
    index?: number | undefined;
    line?: number | undefined;
  }) {
    const where = fields.line !== undefined ? ` line ${fields.line}` : fields.index !== undefined ? ` entry ${fields.index}` : '';
    const fmt = fields.format ? ` (${fields.format})` : '';
    super('MIIO_ERR_TOKENS_FILE', `tokens file ${fields.file}${fmt}${where}: ${fields.detail}`);
    this.name = 'TokensFileError';
    this.file = fields.file;
    this.problem = fields.problem;
    this.format = fields.format;
    this.index = fields.index;
    this.line = fields.line;
  }
}

export function isTokensFileError(err: unknown): err is TokensFileError {
  return err instanceof TokensFileError;
}

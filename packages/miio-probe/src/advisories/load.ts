/**
 * Reads the advisory files. The only file in `advisories/` that touches the file system; matching
 * and validation are pure (validate.ts, match.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AdvisoryError } from './errors.js';
import type { Advisory, AdvisoryDatabase } from './types.js';
import { createAdvisoryDatabase, parseAdvisory } from './validate.js';

/** `data/` sits two levels above both `src/advisories/` and `dist/advisories/`: one URL serves both. */
export const DEFAULT_ADVISORY_DIR: URL = new URL('../../data/advisories/', import.meta.url);

// A record is a few kB; anything far larger is not ours and is refused before parsing.
const MAX_FILE_BYTES = 1_000_000;

export interface LoadAdvisoriesOptions {
  /** Directory of `*.json` records. Default: the package's own `data/advisories/`. */
  dir?: string | URL;
}

function dirPath(dir: string | URL | undefined): string {
  const d = dir ?? DEFAULT_ADVISORY_DIR;
  return d instanceof URL ? fileURLToPath(d) : d;
}

function parseFile(name: string, text: string): Advisory {
  if (text.length > MAX_FILE_BYTES) throw new AdvisoryError('MIIO_ERR_ADVISORY_READ', `${name}: file too large`, { source: name });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AdvisoryError('MIIO_ERR_ADVISORY_READ', `${name}: not valid JSON`, { cause: err, source: name });
  }
  const advisory = parseAdvisory(json, name);
  // The file name is the id, so a reviewer finds a record by its id.
  if (name !== `${advisory.id}.json`) {
    throw new AdvisoryError('MIIO_ERR_ADVISORY_INVALID', `${name}: file name must be ${advisory.id}.json`, { source: name });
  }
  return advisory;
}

const jsonFiles = (names: string[]): string[] => names.filter((n) => n.endsWith('.json')).sort();

/** Load and validate every `*.json` record in the directory (sorted by name, so results are stable). */
export async function loadAdvisoryDatabase(options: LoadAdvisoriesOptions = {}): Promise<AdvisoryDatabase> {
  const dir = dirPath(options.dir);
  let names: string[];
  try {
    names = jsonFiles(await readdir(dir));
  } catch (err) {
    throw new AdvisoryError('MIIO_ERR_ADVISORY_READ', `cannot list advisory directory ${dir}`, { cause: err });
  }
  const advisories: Advisory[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = await readFile(`${dir.replace(/\/$/, '')}/${name}`, 'utf8');
    } catch (err) {
      throw new AdvisoryError('MIIO_ERR_ADVISORY_READ', `${name}: cannot read`, { cause: err, source: name });
    }
    advisories.push(parseFile(name, text));
  }
  return createAdvisoryDatabase(advisories);
}

/** Synchronous twin for CLI start-up and tests. */
export function loadAdvisoryDatabaseSync(options: LoadAdvisoriesOptions = {}): AdvisoryDatabase {
  const dir = dirPath(options.dir);
  let names: string[];
  try {
    names = jsonFiles(readdirSync(dir));
  } catch (err) {
    throw new AdvisoryError('MIIO_ERR_ADVISORY_READ', `cannot list advisory directory ${dir}`, { cause: err });
  }
  return createAdvisoryDatabase(
    names.map((name) => {
      let text: string;
      try {
        text = readFileSync(`${dir.replace(/\/$/, '')}/${name}`, 'utf8');
      } catch (err) {
        throw new AdvisoryError('MIIO_ERR_ADVISORY_READ', `${name}: cannot read`, { cause: err, source: name });
      }
      return parseFile(name, text);
    }),
  );
}

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimError } from './errors.js';
import { type ProfileSet, validateProfileSet } from './profile.js';

/** packages/simulator/profiles: one level above both src/ (tests) and dist/ (built). */
export const BUILTIN_PROFILES_DIR: string = fileURLToPath(new URL('../profiles/', import.meta.url));

/** Names of the built-in profile sets (`demo`, `lab`, ...). */
export function builtinProfileNames(): string[] {
  if (!existsSync(BUILTIN_PROFILES_DIR)) return [];
  return readdirSync(BUILTIN_PROFILES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/**
 * Load and validate a profile set: a built-in name (`demo`, `lab`) or a path to a JSON file.
 *
 * @example
 *   const set = loadProfiles('demo'); // set.devices[0].model
 */
export function loadProfiles(nameOrPath: string): ProfileSet {
  const isBuiltin = /^[a-z0-9-]+$/.test(nameOrPath) && !nameOrPath.endsWith('.json');
  const file = isBuiltin ? `${BUILTIN_PROFILES_DIR}${nameOrPath}.json` : nameOrPath;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const known = builtinProfileNames().join(', ');
    throw new SimError('SIM_ERR_PROFILE_NOT_FOUND', `no profile set "${nameOrPath}" (built-in: ${known || 'none'})`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new SimError('SIM_ERR_PROFILE', `profile set ${nameOrPath} is not valid JSON`, { cause });
  }
  return validateProfileSet(parsed, nameOrPath);
}

/** Advisory database: OSV-shaped records in `data/advisories/`, loader, version comparator, matcher. */
export * from './errors.js';
export * from './types.js';
export * from './version.js';
export * from './validate.js';
export * from './match.js';
export * from './load.js';

/**
 * @xmscan/report: the result schema (types + JSON Schema), severities, `buildReport` and writers.
 * Imports nothing of ours (design.md).
 */
export * from './errors.js';
export * from './severity.js';
export * from './schema.js';
export * from './build.js';
export * from './sanitize.js';
export * from './schema-file.js';
export * from './writers/index.js';
export * from './diff.js';
export * from './diff-render.js';
export * from './ignore.js';
export * from './history/index.js';

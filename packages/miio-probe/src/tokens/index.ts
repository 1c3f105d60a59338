/** Importing the tokens users already have (`--tokens FILE`): parsers, loader, matcher. */
export * from './types.js';
export * from './errors.js';
export * from './normalise.js';
export * from './parse.js';
export * from './match.js';
export * from './load.js';

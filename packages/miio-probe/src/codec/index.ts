/**
 * The miIO wire codec: pure functions over bytes. Imports `node:crypto` and nothing else; no
 * sockets, clock or logger (design.md). Byte layouts cite protocols.md §1.
 */
export * from './errors.js';
export * from './token.js';
export * from './header.js';
export * from './crypto.js';
export * from './hello.js';
export * from './payload.js';
export * from './packet.js';
export * from './message.js';

export * from './password.js';
export * from './token-source.js';
export * from './token-hash.js';

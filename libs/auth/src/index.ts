export * from './password.js';
export * from './token-source.js';

export * from './file-store.js';
export * from './local-file-store.js';

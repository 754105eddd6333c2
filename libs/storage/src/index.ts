export * from './file-store.js';
export * from './local-file-store.js';
export * from './s3-file-store.js';
export * from './file-store-factory.js';

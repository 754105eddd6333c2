export * from './ids.js';
export * from './app-error.js';

export * from './ids.js';
export * from './app-error.js';
export * from './refreshing-cache.js';
export * from './json-input.js';
export * from './text.js';
export * from './stat-counters.js';
export * from './read-through-cache.js';

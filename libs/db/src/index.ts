export * from './database.js';
export * from './embedded-postgres.js';

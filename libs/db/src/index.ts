export * from './database.js';
export * from './embedded-postgres.js';
export * from './inline-params.js';
export * from './local-socket.js';
export * from './read-context.js';
export * from './replicas.js';
export * from './statement-names.js';
// The built-in roles as the roles migration seeds them (tests build in-memory role tables from them).
export { ROLE_SEEDS, type RoleSeed } from './migrations/1734100000000-roles.js';

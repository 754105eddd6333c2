export * from './defaults.js';
export * from './config-schema.js';
export * from './config.service.js';
export * from './tls-settings.js';

export * from './websocket-event.js';
export * from './event-names.js';
export * from './event-publisher.js';
export * from './replay-buffer.js';
export * from './web-connection.js';
export * from './hub.js';
export * from './local-publisher.js';

export * from './mail-driver.js';
export * from './smtp-mail-driver.js';
export * from './mail-queue.js';

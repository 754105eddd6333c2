export * from './queue-driver.js';
export * from './schedule.js';
export * from './in-process-driver.js';
export * from './bullmq-driver.js';

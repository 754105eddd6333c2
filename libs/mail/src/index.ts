export * from './mail-driver.js';

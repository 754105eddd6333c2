export * from './contracts.js';
export * from './discovery.js';
export * from './gossip-seal.js';
export * from './leader.js';
export * from './node-address.js';
export * from './swim-membership.js';
export * from './transport/index.js';

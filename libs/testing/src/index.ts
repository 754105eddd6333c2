/**
 * What tests, benchmarks and the load test share to run servers on this machine: the server
 * process, fresh databases, a single test server, a cluster behind nginx, users, sockets, waits.
 */

export * from './wait.js';
export * from './processes.js';
export * from './ports.js';
export * from './database.js';
export * from './throwaway-database.js';
export * from './postgres-replica.js';
export * from './redis.js';
export * from './users.js';
export * from './app-error.js';
export * from './socket.js';
export * from './listeners.js';
export * from './server-process.js';
export * from './release-build.js';
export * from './test-server.js';
export * from './mmctl.js';
export * from './cluster/nginx.js';
export * from './cluster/nginx-tls.js';
export * from './cluster/cluster-socket.js';
export * from './cluster/cluster.js';
export * from './recording-publisher.js';
export * from './memory-database.js';
export * from './random.js';
export * from './sso/web-browser.js';
export * from './sso/oidc-provider.js';
export * from './sso/slapd.js';
export * from './sso/simplesamlphp.js';
export * from './sso/saml-browser.js';
export * from './s3rver.js';
export * from './push-recorder.js';
export * from './smtp.js';
export * from './browser.js';
export * from './certificates.js';
export * from './tls-client.js';
export * from './push-providers/credentials.js';
export * from './push-providers/jwt-verify.js';
export * from './push-providers/apns-server.js';
export * from './push-providers/fcm-server.js';
export * from './push-providers/push-proxy-process.js';
export * from './metrics-text.js';

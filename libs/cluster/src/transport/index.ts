export { GrpcTransport, type GrpcTransportOptions, type TransportLogger } from './grpc-transport.js';
export { clusterCaCertificate, configuredLinkTls, derivedLinkTls, type LinkTls, type LinkTlsSettings } from './link-tls.js';
export { DEFAULT_BUFFER_LIMIT, type BufferLimit } from './send-buffer.js';

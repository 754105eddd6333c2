export { GrpcTransport, type GrpcTransportOptions, type TransportLogger } from './grpc-transport.js';
export { clusterCaCertificate, derivedLinkTls, linkTlsFromFiles, type LinkTls, type LinkTlsFiles } from './link-tls.js';
export { DEFAULT_BUFFER_LIMIT, type BufferLimit } from './send-buffer.js';

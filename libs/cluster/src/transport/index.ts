export { GrpcTransport, type GrpcTransportOptions, type TransportLogger } from './grpc-transport.js';
export { DEFAULT_BUFFER_LIMIT, type BufferLimit } from './send-buffer.js';

import type { handleBidiStreamingCall, ServiceDefinition } from '@grpc/grpc-js';
import { fromJSON, type Options } from '@grpc/proto-loader';

/*
 * The gRPC service of cluster.proto, embedded.
 *
 * Why not load cluster.proto from disk: tsc does not copy .proto files, and the Docker image
 * ships only dist/, so a path next to the compiled module would not exist at run time. The same
 * schema is written below as a protobufjs JSON descriptor and loaded with proto-loader's
 * `fromJSON` (no file, no temp file, no extra dependency). cluster-schema.spec.ts loads
 * cluster.proto with `loadSync` and fails if the two definitions differ.
 */
const DESCRIPTOR: Parameters<typeof fromJSON>[0] = {
  nested: {
    mmchat: {
      nested: {
        cluster: {
          nested: {
            ClusterLink: {
              methods: {
                Link: {
                  requestType: 'Frames',
                  requestStream: true,
                  responseType: 'Frames',
                  responseStream: true,
                  comment: 'One long-lived stream per pair of nodes.',
                },
              },
            },
            Frames: {
              fields: {
                frames: { rule: 'repeated', type: 'Frame', id: 1 },
                protocol: { type: 'uint32', id: 2 },
              },
            },
            FrameKind: {
              values: {
                FRAME_KIND_UNSPECIFIED: 0,
                FRAME_KIND_HELLO: 1,
                FRAME_KIND_DATA: 2,
                FRAME_KIND_REQUEST: 3,
                FRAME_KIND_RESPONSE: 4,
                FRAME_KIND_FAILURE: 5,
                FRAME_KIND_ACK: 6,
                FRAME_KIND_CHALLENGE: 7,
              },
            },
            Frame: {
              fields: {
                kind: { type: 'FrameKind', id: 1 },
                seq: { type: 'uint64', id: 2 },
                type: { type: 'string', id: 3 },
                payload: { type: 'bytes', id: 4 },
                correlation_id: { type: 'uint64', id: 5 },
                error: { type: 'string', id: 6 },
                hello: { type: 'Hello', id: 7 },
                nonce: { type: 'string', id: 8 },
              },
            },
            Hello: {
              fields: {
                node_id: { type: 'string', id: 1 },
                send_stream: { type: 'string', id: 2 },
                first_seq: { type: 'uint64', id: 3 },
                recv_stream: { type: 'string', id: 4 },
                last_received: { type: 'uint64', id: 5 },
                proof: { type: 'string', id: 6 },
              },
            },
          },
        },
      },
    },
  },
};

/** snake_case field names as in the .proto; uint64 as JS numbers (sequence numbers stay far below 2^53); enums as numbers. */
export const PROTO_LOADER_OPTIONS: Options = { keepCase: true, longs: Number, enums: Number, defaults: true, oneofs: false };

export const SERVICE_NAME = 'mmchat.cluster.ClusterLink';

export const FrameKind = {
  HELLO: 1,
  DATA: 2,
  REQUEST: 3,
  RESPONSE: 4,
  FAILURE: 5,
  ACK: 6,
  CHALLENGE: 7,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export interface Hello {
  node_id: string;
  send_stream: string;
  first_seq: number;
  recv_stream: string;
  last_received: number;
  proof: string;
}

/** A frame as written (unset fields may be omitted) and as read (every field present, defaults filled). */
export interface Frame {
  kind: FrameKind;
  seq?: number;
  type?: string;
  payload?: Buffer;
  correlation_id?: number;
  error?: string;
  hello?: Hello | null;
  /** CHALLENGE: the server's one-time nonce. */
  nonce?: string;
}

/** One gRPC message of the link: frames written together (see PeerLink's batching). */
export interface Frames {
  frames: Frame[];
  /** The sender's CLUSTER_PROTOCOL; 0 (absent) from a 0.1.0 node, which means protocol 1. */
  protocol?: number;
}

/** The packaged definition (exported for the schema drift test). */
export const clusterPackageDefinition = fromJSON(DESCRIPTOR, PROTO_LOADER_OPTIONS);

/** Service definition for `grpc.Server.addService` and `Client.makeBidiStreamRequest`. */
export const clusterLinkService = clusterPackageDefinition[SERVICE_NAME] as unknown as ServiceDefinition<{
  Link: handleBidiStreamingCall<Frames, Frames>;
}>;

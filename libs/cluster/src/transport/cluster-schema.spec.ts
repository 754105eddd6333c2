import { fileURLToPath } from 'node:url';
import { loadSync } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { clusterLinkService, clusterPackageDefinition, FrameKind, PROTO_LOADER_OPTIONS } from './cluster-schema.js';

describe('cluster schema', () => {
  it('embedded descriptor matches cluster.proto', () => {
    const fromFile = loadSync(fileURLToPath(new URL('./cluster.proto', import.meta.url)), PROTO_LOADER_OPTIONS);
    expect(Object.keys(clusterPackageDefinition).sort()).toEqual(Object.keys(fromFile).sort());
    for (const [name, definition] of Object.entries(fromFile)) {
      if ('type' in definition) expect((clusterPackageDefinition[name] as typeof definition).type, name).toEqual(definition.type);
    }
    const fileLink = (fromFile['mmchat.cluster.ClusterLink'] as any).Link;
    const link = clusterLinkService.Link;
    expect([link.path, link.requestStream, link.responseStream]).toEqual([fileLink.path, true, true]);
    // The same bytes either way.
    const batch = {
      frames: [
        { kind: FrameKind.DATA, seq: 12, type: 't', payload: Buffer.from('{"a":1}'), correlation_id: 3 },
        { kind: FrameKind.ACK, seq: 4 },
      ],
    };
    expect(link.requestSerialize(batch)).toEqual(fileLink.requestSerialize(batch));
  });

  it('round-trips batches of frames, in order, with large sequence numbers and binary payloads', () => {
    const link = clusterLinkService.Link;
    const payload = Buffer.from(JSON.stringify({ text: 'héllo 👋', n: 1 }));
    const { frames } = link.requestDeserialize(
      link.requestSerialize({
        frames: [
          { kind: FrameKind.REQUEST, seq: 2 ** 40 + 1, type: 'x', payload, correlation_id: 77 },
          { kind: FrameKind.ACK, seq: 9 },
        ],
      }),
    );
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ kind: FrameKind.REQUEST, seq: 2 ** 40 + 1, type: 'x', correlation_id: 77, hello: null });
    expect(Buffer.from(frames[0].payload!).equals(payload)).toBe(true);
    expect(frames[1]).toMatchObject({ kind: FrameKind.ACK, seq: 9 });
  });
});

import { describe, expect, it } from 'vitest';
import { summarizeProfile } from './profile-summary.js';

const SERVER = 'file:///srv/mmchat/dist/apps/server/src/posts/posts.service.js';

/** A profile of one server: root → (idle), and root → create (ours) → writev (native); 1 ms samples. */
function profile(idleSamples: number, writevSamples: number, createSamples: number) {
  const nodes = [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3] },
    { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    { id: 3, callFrame: { functionName: 'create', url: SERVER, lineNumber: 41 }, children: [4] },
    { id: 4, callFrame: { functionName: 'writev', url: '', lineNumber: -1 } },
  ];
  const samples = [...Array(idleSamples).fill(2), ...Array(writevSamples).fill(4), ...Array(createSamples).fill(3)];
  return { nodes, startTime: 0, endTime: samples.length * 1000, samples, timeDeltas: samples.map(() => 1000) };
}

describe('summarizeProfile', () => {
  it('says where one profile spent its busy time', () => {
    const s = summarizeProfile(profile(6, 3, 1));
    // The last sample has no next delta: 9 of the 10 samples are timed.
    expect(s.totalMs).toBe(9);
    expect(s.busyMs).toBe(3);
    expect(s.nativeCallers[0]).toMatchObject({ native: 'writev', caller: 'create dist/apps/server/src/posts/posts.service.js:42', ms: 3 });
  });

  it('sums the profiles of several servers (a cluster) function by function', () => {
    const s = summarizeProfile([profile(6, 3, 2), profile(1, 5, 2)]);
    expect(s.busyMs).toBe(3 + 1 + 5 + 1);
    expect(s.totalMs).toBe(10 + 7);
    expect(s.nativeCallers).toEqual([expect.objectContaining({ native: 'writev', ms: 8, percentOfBusy: 80 })]);
    expect(s.ours).toEqual([expect.objectContaining({ fn: 'create', ms: 10, percentOfBusy: 100 })]);
  });
});

import { describe, expect, it } from 'vitest';
import { listenBacklog } from './listen-backlog.js';

describe('listenBacklog', () => {
  it("is the system's somaxconn, as Go's listener", () => {
    expect(listenBacklog(() => '4096\n')).toBe(4096);
    expect(listenBacklog(() => '65536')).toBe(65536);
  });

  it("keeps Node's 511 when somaxconn cannot be read or makes no sense", () => {
    expect(
      listenBacklog(() => {
        throw new Error('ENOENT');
      }),
    ).toBe(511);
    expect(listenBacklog(() => '')).toBe(511);
    expect(listenBacklog(() => 'lots')).toBe(511);
    expect(listenBacklog(() => '-1')).toBe(511);
  });
});

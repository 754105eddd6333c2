import { describe, expect, it } from 'vitest';
import { eventually, until } from './wait.js';

describe('until', () => {
  it('returns the first truthy value the check gives', async () => {
    let calls = 0;
    expect(await until(() => (++calls === 3 ? 'ready' : undefined), 1000, 'the third call', 1)).toBe('ready');
    expect(calls).toBe(3);
  });

  it('names what it waited for when the time runs out', async () => {
    await expect(until(() => false, 30, 'the moon', 5)).rejects.toThrow('timed out after 30 ms waiting for the moon');
  });

  it('ends at once when the check throws', async () => {
    let calls = 0;
    const check = () => {
      calls++;
      throw new Error('the process exited');
    };
    await expect(until(check, 1000, 'anything', 1)).rejects.toThrow('the process exited');
    expect(calls).toBe(1);
  });
});

describe('eventually', () => {
  it('retries a failing assertion until it holds', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        if (++calls < 3) throw new Error('not yet');
        return calls;
      },
      1000,
      1,
    );
    expect(value).toBe(3);
  });

  it('rethrows the last failure, saying how long it kept failing', async () => {
    let calls = 0;
    const fn = () => {
      throw new Error(`failure ${++calls}`);
    };
    const err: Error = await eventually(fn, 30, 5).catch((e) => e);
    expect(err.message).toMatch(/^still failing after \d+ ms: failure \d+$/);
    expect(err.message).toContain(`failure ${calls}`);
  });
});

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { ActionPicker } from './action-picker.js';
import { seededRandom } from '#testing';

describe('ActionPicker', () => {
  it('picks each action in proportion to its weight', () => {
    const picker = new ActionPicker({ a: 6, b: 3, c: 1 });
    const rand = seededRandom(1);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const n = 200_000;
    for (let i = 0; i < n; i++) counts[picker.pick(rand)]++;
    expect(counts.a / n).toBeCloseTo(0.6, 2);
    expect(counts.b / n).toBeCloseTo(0.3, 2);
    expect(counts.c / n).toBeCloseTo(0.1, 2);
  });

  it('never picks zero-weight actions and maps the ends of [0, 1) to the first and last action', () => {
    const picker = new ActionPicker({ never: 0, first: 1, last: 1 });
    expect(picker.pick(() => 0)).toBe('first');
    expect(picker.pick(() => 0.999999)).toBe('last');
    expect(picker.pick(() => 0.5)).toBe('last');
    expect(picker.pick(() => 0.4999)).toBe('first');
    expect(Object.keys(picker.probabilities())).toEqual(['first', 'last']);
  });

  it('refuses a table without a positive weight', () => {
    expect(() => new ActionPicker({ a: 0 })).toThrow(/positive/);
    expect(() => new ActionPicker({})).toThrow(/positive/);
  });

  it("gives Mattermost's shares with the shipped weights (ceiling tests: SwitchChannel 48 %, CreatePost 7.4 %)", () => {
    const picker = new ActionPicker(loadConfig().userController.actions);
    const p = picker.probabilities();
    expect(picker.total).toBeCloseTo(13.58, 1);
    expect(p.SwitchChannel).toBeCloseTo(0.48, 2);
    expect(p.ScrollChannel).toBeCloseTo(0.146, 2);
    expect(p.CreatePost).toBeCloseTo(0.0736, 3);
    expect(p.UnreadCheck).toBeCloseTo(p.CreatePost, 10);
    expect(p.ReconnectWebSocket).toBeCloseTo(0.0106, 3);

    // And the sampled mix matches the table.
    const rand = seededRandom(7);
    const n = 300_000;
    let switches = 0;
    let posts = 0;
    for (let i = 0; i < n; i++) {
      const a = picker.pick(rand);
      if (a === 'SwitchChannel') switches++;
      if (a === 'CreatePost') posts++;
    }
    expect(switches / n).toBeCloseTo(p.SwitchChannel, 2);
    expect(posts / n).toBeCloseTo(p.CreatePost, 2);
  });
});

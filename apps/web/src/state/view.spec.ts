import { describe, expect, it } from 'vitest';
import { initialView, viewFinished, viewLoading } from './view';

describe('view', () => {
  it('ends the load of the current path, ready or failed', () => {
    expect(viewFinished(viewLoading('/a'), '/a')).toEqual({ path: '/a', status: 'ready', error: '' });
    expect(viewFinished(viewLoading('/a'), '/a', 'Not found')).toEqual({ path: '/a', status: 'failed', error: 'Not found' });
  });

  it('ignores the end of a load for a screen the person has left', () => {
    const state = viewLoading('/b');
    expect(viewFinished(state, '/a', 'late')).toBe(state);
    expect(viewFinished(initialView, '/a')).toBe(initialView);
  });
});

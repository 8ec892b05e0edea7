// The live log's pure rules: what counts as the bottom, when following stops and resumes,
// and which rows a viewport renders.
import { describe, expect, it } from 'vitest';
import { isAtBottom, nextFollowing, visibleRange } from './logView';

const at = (scrollTop: number, scrollHeight = 1000, clientHeight = 200) => ({ scrollTop, scrollHeight, clientHeight });

describe('isAtBottom', () => {
  it('is true at the end and within a few pixels of it', () => {
    expect(isAtBottom(at(800))).toBe(true);
    expect(isAtBottom(at(794))).toBe(true);
    expect(isAtBottom(at(700))).toBe(false);
  });

  it('is true when everything fits', () => {
    expect(isAtBottom(at(0, 150, 200))).toBe(true);
  });
});

describe('nextFollowing', () => {
  it('stops following when the person scrolls up', () => {
    expect(nextFollowing(true, at(600), 800)).toBe(false);
  });

  it('keeps following on a scroll event that did not move up (new content, a resize)', () => {
    expect(nextFollowing(true, at(800, 1400), 800)).toBe(true);
  });

  it('stays paused while scrolling down short of the end, and resumes at the bottom', () => {
    expect(nextFollowing(false, at(650), 600)).toBe(false);
    expect(nextFollowing(false, at(800), 650)).toBe(true);
  });
});

describe('visibleRange', () => {
  it('renders the rows on screen plus the overscan', () => {
    expect(visibleRange(0, 200, 20, 10_000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(2000, 200, 20, 10_000, 5)).toEqual({ start: 95, end: 116 });
  });

  it('clamps to the list', () => {
    expect(visibleRange(0, 200, 20, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(99_999, 200, 20, 30, 5)).toEqual({ start: 24, end: 30 });
  });
});

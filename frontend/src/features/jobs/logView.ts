// Pure logic of the live log: which rows of a fixed-row-height list are on screen, whether a
// scroll position counts as "at the bottom", and whether the view keeps following new lines.
export interface ScrollMetrics {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

/** Within this many pixels of the end counts as the bottom (sub-pixel zoom, rounding). */
export const BOTTOM_SLACK_PX = 8;

export function isAtBottom(m: ScrollMetrics, slack: number = BOTTOM_SLACK_PX): boolean {
  return m.scrollHeight - m.scrollTop - m.clientHeight <= slack;
}

/**
 * After a scroll event: reaching the bottom (re)starts following; moving up stops it;
 * anything else (a resize, scrolling down but not to the end) keeps what it was.
 */
export function nextFollowing(following: boolean, m: ScrollMetrics, previousScrollTop: number): boolean {
  if (isAtBottom(m)) return true;
  if (m.scrollTop < previousScrollTop - 1) return false;
  return following;
}

export interface RowRange {
  /** First rendered row (inclusive). */
  start: number;
  /** One past the last rendered row. */
  end: number;
}

/** Rows to render for a viewport, with `overscan` extra rows either side. */
export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan = 20): RowRange {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(first, count - 1) - overscan);
  const end = Math.min(count, first + shown + overscan);
  return { start, end: Math.max(start, end) };
}

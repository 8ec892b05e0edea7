// Cursor paging helpers: only the first page asks for the count, later ones pass the cursor,
// and the loaded pages flatten in order with the first page's count.
import { describe, expect, it } from 'vitest';
import { FIRST_PAGE, loadedList, nextCursor, pageParams } from './paging';

describe('cursor paging', () => {
  it('counts on the first page only', () => {
    expect(pageParams(FIRST_PAGE)).toEqual({ with_total: true });
    expect(pageParams('abc')).toEqual({ cursor: 'abc' });
  });

  it('stops after a page without next_cursor', () => {
    expect(nextCursor({ items: [1], next_cursor: 'n' })).toBe('n');
    expect(nextCursor({ items: [1] })).toBeUndefined();
  });

  it('flattens the loaded pages and keeps the first page’s count', () => {
    const data = {
      pages: [
        { items: [1, 2], next_cursor: 'a', total: 10_000, total_capped: true },
        { items: [3], next_cursor: 'b' },
      ],
      pageParams: [undefined, 'a'],
    };
    expect(loadedList(data)).toEqual({ items: [1, 2, 3], total: 10_000, capped: true });
    expect(loadedList(undefined)).toEqual({ items: [], total: undefined, capped: false });
  });
});

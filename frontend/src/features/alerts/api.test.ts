// An action's answer replaces the alert wherever a list holds it: the alerts page's pages and a
// host card's single page alike, other alerts untouched.
import { describe, expect, it } from 'vitest';
import { makeAlert } from '@/test/alerts';
import { replaceAlert } from './api';

describe('replaceAlert', () => {
  const a = makeAlert();
  const b = makeAlert({ id: 'other', title: 'other' });
  const acked = { ...a, state: 'acknowledged' as const };

  it('swaps the alert in every loaded page', () => {
    const data = { pages: [{ items: [b] }, { items: [a], next_cursor: 'x' }], pageParams: [undefined, 'c'] };
    expect(replaceAlert(data, acked)).toEqual({ pages: [{ items: [b] }, { items: [acked], next_cursor: 'x' }], pageParams: [undefined, 'c'] });
  });

  it('swaps it in a single page, and leaves nothing cached alone', () => {
    expect(replaceAlert({ items: [a, b] }, acked)).toEqual({ items: [acked, b] });
    expect(replaceAlert(undefined, acked)).toBeUndefined();
  });
});

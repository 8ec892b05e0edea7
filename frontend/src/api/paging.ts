// Cursor (keyset) paging of the list endpoints (jobs, hosts, users, a host's snapshots): a page
// is asked for with the previous answer's `next_cursor`, which is absent on the last page. Only
// the first page asks the server to count (`with_total=true`); the count stops at 10,000
// (`total_capped`). Used with TanStack Query's `useInfiniteQuery`, the page param being the cursor.
import type { InfiniteData } from '@tanstack/react-query';

/** What every cursor-paged list answers (HostList, JobList, UserList, SnapshotList). */
export interface CursorPage<T> {
  items: T[];
  next_cursor?: string;
  total?: number;
  total_capped?: boolean;
}

/** The page param of the first page: no cursor. */
export const FIRST_PAGE: string | undefined = undefined;

/** The paging part of a list request: the first page asks for the count, later ones pass the cursor. */
export function pageParams(cursor: string | undefined): { cursor?: string; with_total?: boolean } {
  return cursor === undefined ? { with_total: true } : { cursor };
}

/** `getNextPageParam` of a cursor-paged list: none after the last page. */
export function nextCursor<T>(last: CursorPage<T>): string | undefined {
  return last.next_cursor;
}

export interface LoadedList<T> {
  /** Every row of the pages loaded so far, in the server's order. */
  items: T[];
  /** How many match (from the first page), when the server counted them. */
  total?: number;
  /** More than `total` match. */
  capped: boolean;
}

/** The rows of the pages loaded so far, and the count the first page carried. */
export function loadedList<T>(data: InfiniteData<CursorPage<T>, unknown> | undefined): LoadedList<T> {
  const first = data?.pages[0];
  return { items: data?.pages.flatMap((p) => p.items) ?? [], total: first?.total, capped: first?.total_capped ?? false };
}

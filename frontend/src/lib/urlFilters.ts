// List filters kept in the URL's query string, so a reload or a shared link shows the same
// list: setting one filter, and a search box whose text is written to the URL once typing pauses.
import { useDebouncedCallback } from '@mantine/hooks';
import { useState } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A copy of `params` with `key` set to `value` (removed when empty). A filter change is another
 * list, read again from its first page; the `page` of links from before cursor paging is dropped.
 */
export function withParam(params: URLSearchParams, key: string, value: string | null): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(key, value);
  else next.delete(key);
  next.delete('page');
  return next;
}

/** One filter of the URL and a setter that replaces the history entry (filters are not pages to go back to). */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const setFilter = (key: string, value: string | null) => setParams((prev) => withParam(prev, key, value), { replace: true });
  const clearFilters = () => setParams({}, { replace: true });
  return { params, setFilter, clearFilters };
}

/**
 * A search box bound to the URL parameter `key`: `text` is what the box shows (at once), `value`
 * what the URL holds (written `delayMs` after the last keystroke) and the list should search for.
 * When the URL changes by itself (a link, back, "Clear filters"), the box shows its value.
 */
export function useUrlSearchText(key = 'q', delayMs = 300) {
  const [params, setParams] = useSearchParams();
  const value = params.get(key) ?? '';
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  // What this box last wrote to the URL: when the URL comes back with it, that is our own
  // echo, and the person may have typed on since; only another change (Back, "Clear
  // filters", a link) replaces what is in the box. Without this, a slow render let an echo
  // of "host-0" overwrite a box that already said "host-01", losing keystrokes.
  const [written, setWritten] = useState<string | null>(null);
  if (value !== seen) {
    setSeen(value);
    if (value !== written) setText(value);
  }
  const write = useDebouncedCallback((next: string) => {
    setWritten(next);
    setParams((prev) => withParam(prev, key, next), { replace: true });
  }, delayMs);
  return {
    value,
    text,
    onChange: (next: string) => {
      setText(next);
      write(next);
    },
    /** Drop a write still waiting (before clearing the filters). */
    cancel: () => write.cancel(),
  };
}

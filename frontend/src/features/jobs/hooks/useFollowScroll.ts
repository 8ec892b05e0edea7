// Keeps a scrolling box pinned to its end while the person stays there: new content scrolls
// into view; scrolling up pauses that until they return to the bottom or press "Jump to latest".
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { nextFollowing } from '../logView';

export function useFollowScroll(ref: RefObject<HTMLElement | null>, contentSize: number) {
  const [following, setFollowing] = useState(true);
  const lastTop = useRef(0);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const metrics = { scrollTop: el.scrollTop, scrollHeight: el.scrollHeight, clientHeight: el.clientHeight };
    const previous = lastTop.current;
    lastTop.current = el.scrollTop;
    setFollowing((f) => nextFollowing(f, metrics, previous));
  }, [ref]);

  // Before paint, so a following view never shows a frame that is not at the end.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!following || !el) return;
    el.scrollTop = el.scrollHeight;
    lastTop.current = el.scrollTop;
  }, [ref, following, contentSize]);

  const jumpToLatest = useCallback(() => {
    const el = ref.current;
    if (el) {
      el.scrollTop = el.scrollHeight;
      lastTop.current = el.scrollTop;
    }
    setFollowing(true);
  }, [ref]);

  return { following, onScroll, jumpToLatest };
}

// A job, live: opens the server's event stream (SSE) and collects log lines (batched, so
// thousands of lines do not mean thousands of renders), progress and status changes.
// EventSource cannot refresh an expired session, so on an error the stream is closed, the
// job is fetched through the API client (whose 401 handling refreshes the session), and the
// stream reopens after the last line it saw.
import { useEffect, useRef, useState } from 'react';
import { API_PREFIX } from '@/api/client';
import { ApiError } from '@/api/errors';
import type { Job, JobFeedEvent, JobProgress, LogLine } from '@/api/types';

/** `gone`: the job or the session is gone (the reconnect fetch answered 401, 403 or 404). */
export type FeedConnection = 'connecting' | 'open' | 'reconnecting' | 'ended' | 'gone';

export interface JobFeed {
  lines: LogLine[];
  /** The latest progress the stream reported (none yet: undefined). */
  progress: JobProgress | undefined;
  connection: FeedConnection;
}

export interface FeedCallbacks {
  /** The job as the server sends it whenever its status changes. */
  onStatus: (job: Job) => void;
  /** Before reopening after an error: fetch something through the API client (refreshes the session). */
  onReconnect: () => Promise<unknown>;
}

/** How long new lines wait to be rendered together. */
export const FLUSH_MS = 100;
const MAX_RETRY_MS = 15_000;

export function feedUrl(jobId: string, after: number): string {
  const base = `${API_PREFIX}/v1/jobs/${encodeURIComponent(jobId)}/events`;
  return after > 0 ? `${base}?after=${after}` : base;
}

function parse(event: Event): JobFeedEvent | null {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as JobFeedEvent;
  } catch {
    return null;
  }
}

/** Call with `key={jobId}` on the component (or a parent): state starts fresh per job. */
export function useJobFeed(jobId: string, callbacks: FeedCallbacks): JobFeed {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [progress, setProgress] = useState<JobProgress | undefined>(undefined);
  const [connection, setConnection] = useState<FeedConnection>('connecting');
  const callbacksRef = useRef(callbacks);
  useEffect(() => {
    callbacksRef.current = callbacks;
  });

  useEffect(() => {
    let source: EventSource | null = null;
    let lastSeq = 0;
    let buffer: LogLine[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    let failures = 0;
    let stopped = false;

    const flush = () => {
      flushTimer = null;
      if (buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      setLines((prev) => prev.concat(batch));
    };

    const open = () => {
      if (stopped) return;
      const es = new EventSource(feedUrl(jobId, lastSeq));
      source = es;
      es.addEventListener('open', () => {
        failures = 0;
        setConnection('open');
      });
      es.addEventListener('log', (e) => {
        const line = parse(e)?.log;
        // A resumed stream may repeat a line: seq orders them and is applied once.
        if (!line || line.seq <= lastSeq) return;
        lastSeq = line.seq;
        buffer.push(line);
        flushTimer ??= setTimeout(flush, FLUSH_MS);
      });
      es.addEventListener('progress', (e) => {
        const p = parse(e)?.progress;
        if (p) setProgress(p);
      });
      es.addEventListener('status', (e) => {
        const job = parse(e)?.job;
        if (job) callbacksRef.current.onStatus(job);
      });
      es.addEventListener('end', () => {
        stopped = true;
        es.close();
        if (flushTimer) clearTimeout(flushTimer);
        flush();
        setConnection('ended');
      });
      es.onerror = () => {
        if (stopped) return;
        es.close();
        source = null;
        failures += 1;
        setConnection('reconnecting');
        const delay = Math.min(MAX_RETRY_MS, 500 * 2 ** Math.min(failures, 5));
        retryTimer = setTimeout(() => {
          retryTimer = null;
          callbacksRef.current.onReconnect().then(open, (error: unknown) => {
            if (error instanceof ApiError && [401, 403, 404].includes(error.status)) {
              stopped = true;
              setConnection('gone');
            } else {
              open();
            }
          });
        }, delay);
      };
    };

    open();
    return () => {
      stopped = true;
      source?.close();
      if (flushTimer) clearTimeout(flushTimer);
      if (retryTimer) clearTimeout(retryTimer);
    };
  }, [jobId]);

  return { lines, progress, connection };
}

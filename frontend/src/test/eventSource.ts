// A stand-in for the browser's EventSource (jsdom has none): tests open it through the code
// under test, then push named server events into it, or fail it, by hand.
import { vi } from 'vitest';

export class FakeEventSource extends EventTarget {
  static instances: FakeEventSource[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;

  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  onerror: ((event: Event) => void) | null = null;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;

  constructor(url: string | URL) {
    super();
    this.url = String(url);
    FakeEventSource.instances.push(this);
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
  }

  get closed() {
    return this.readyState === FakeEventSource.CLOSED;
  }

  open() {
    this.readyState = FakeEventSource.OPEN;
    const event = new Event('open');
    this.dispatchEvent(event);
    this.onopen?.(event);
  }

  /** One SSE message: `event: <type>`, `data: <JSON of data>`, optional `id:`. */
  emit(type: string, data: unknown, id?: number | string) {
    if (this.closed) throw new Error(`emit(${type}) on a closed EventSource`);
    const event = new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id === undefined ? '' : String(id) });
    this.dispatchEvent(event);
    if (type === 'message') this.onmessage?.(event);
  }

  /** The connection broke (or was refused, e.g. a 401): what the browser reports. */
  fail() {
    this.readyState = FakeEventSource.CLOSED;
    const event = new Event('error');
    this.dispatchEvent(event);
    this.onerror?.(event);
  }

  static latest(): FakeEventSource {
    const last = FakeEventSource.instances.at(-1);
    if (!last) throw new Error('no EventSource was opened');
    return last;
  }
}

/** Install the fake for one test (globals are unstubbed after each test by the config). */
export function installFakeEventSource() {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
  return FakeEventSource;
}

// Vitest setup: jest-dom matchers, the browser APIs jsdom lacks (Mantine needs them), and
// per-test cleanup of the DOM and cookies. Node-environment tests skip the browser parts.
import '@testing-library/jest-dom/vitest';
import { notifications } from '@mantine/notifications';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// findBy*/waitFor give up after 1 s by default; a page's first render with its queries can
// take longer than that on a loaded 2-core CI machine. A missing element still fails, at 5 s.
configure({ asyncUtilTimeout: 5000 });

function installBrowserStubs() {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: vi.fn().mockImplementation((query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: vi.fn(),
      removeListener: vi.fn(),
      addEventListener: vi.fn(),
      removeEventListener: vi.fn(),
      dispatchEvent: vi.fn(),
    })),
  });
  window.ResizeObserver = class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  window.HTMLElement.prototype.scrollIntoView = function scrollIntoView() {};
  // The Font Loading API (Mantine's autosize text areas listen to it).
  if (!('fonts' in document)) {
    Object.defineProperty(document, 'fonts', { value: { addEventListener: vi.fn(), removeEventListener: vi.fn() } });
  }
}

if (typeof window !== 'undefined') installBrowserStubs();

afterEach(() => {
  if (typeof document === 'undefined') return;
  cleanup();
  notifications.clean(); // the store outlives the rendered <Notifications />
  for (const cookie of document.cookie.split(';')) {
    const name = cookie.split('=')[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
});

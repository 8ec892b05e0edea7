// Keyboard helpers shared by forms.
// Ctrl/Cmd+Enter sends a form from any field, where plain Enter has another job there.
import type { KeyboardEvent } from 'react';

/** An `onKeyDown` for a form: Ctrl/Cmd+Enter submits it (through its own submit handler). */
export function submitOnModEnter(e: KeyboardEvent<HTMLFormElement>) {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    e.currentTarget.requestSubmit();
  }
}

// Copy text to the clipboard. Falls back to selecting `selectTarget` and the legacy copy
// command when the Clipboard API is unavailable (plain-HTTP deployments are not a "secure
// context"); if even that fails, the text stays selected for the person to copy by hand.

function select(target: HTMLElement): void {
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) {
    target.focus();
    target.select();
    return;
  }
  const selection = window.getSelection();
  const range = document.createRange();
  range.selectNodeContents(target);
  selection?.removeAllRanges();
  selection?.addRange(range);
}

export async function copyText(text: string, selectTarget?: HTMLElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection fallback
  }
  if (!selectTarget) return false;
  select(selectTarget);
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

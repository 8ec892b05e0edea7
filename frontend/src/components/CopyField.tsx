// Read-only value with a copy button. Falls back to selecting the text when the Clipboard API
// is unavailable (plain-HTTP deployments are not a "secure context").
import { ActionIcon, TextInput, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useRef, useState } from 'react';

async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection fallback
  }
  if (!input) return false;
  input.focus();
  input.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

export function CopyField({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const copy = async () => {
    const ok = await copyText(value, input.current);
    setState(ok ? 'copied' : 'manual');
    if (ok) setTimeout(() => setState('idle'), 2000);
  };
  return (
    <TextInput
      ref={input}
      label={label}
      value={value}
      readOnly
      data-testid={testId}
      onFocus={(e) => e.currentTarget.select()}
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
      description={state === 'manual' ? 'Copying is blocked here: the text is selected, press Ctrl+C / Cmd+C.' : undefined}
      rightSectionWidth={44}
      rightSection={
        <Tooltip label={state === 'copied' ? 'Copied' : 'Copy'} withArrow>
          <ActionIcon
            variant={state === 'copied' ? 'filled' : 'light'}
            color={state === 'copied' ? 'teal' : undefined}
            aria-label={state === 'copied' ? 'Copied' : `Copy ${label.toLowerCase()}`}
            onClick={() => void copy()}
          >
            {state === 'copied' ? <IconCheck size={16} /> : <IconCopy size={16} />}
          </ActionIcon>
        </Tooltip>
      }
    />
  );
}

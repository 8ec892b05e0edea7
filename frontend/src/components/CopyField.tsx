// Read-only value with a copy button; without the Clipboard API (plain HTTP) it selects the
// text and says to press Ctrl+C.
import { ActionIcon, TextInput, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useRef, useState } from 'react';
import { copyText } from '@/lib/clipboard';

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

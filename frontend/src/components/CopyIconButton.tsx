// Small copy-to-clipboard icon button; without the Clipboard API (plain HTTP) it selects
// `selectTarget`'s text and says to press Ctrl+C.
import { ActionIcon, Tooltip, type ActionIconProps } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useState, type RefObject } from 'react';
import { copyText } from '@/lib/clipboard';

interface Props extends Omit<ActionIconProps, 'children' | 'onClick'> {
  value: string;
  /** What is copied, for the accessible name: "Copy <label>". */
  label: string;
  selectTarget?: RefObject<HTMLElement | null>;
}

export function CopyIconButton({ value, label, selectTarget, ...props }: Props) {
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const copy = async () => {
    const ok = await copyText(value, selectTarget?.current);
    setState(ok ? 'copied' : 'manual');
    setTimeout(() => setState('idle'), ok ? 2000 : 4000);
  };
  const tip = state === 'copied' ? 'Copied' : state === 'manual' ? 'Selected: press Ctrl+C / Cmd+C' : 'Copy';
  return (
    <Tooltip label={tip} withArrow opened={state !== 'idle' ? true : undefined}>
      <ActionIcon
        variant={state === 'copied' ? 'filled' : 'light'}
        color={state === 'copied' ? 'teal' : undefined}
        aria-label={state === 'copied' ? 'Copied' : `Copy ${label}`}
        onClick={() => void copy()}
        {...props}
      >
        {state === 'copied' ? <IconCheck size={16} /> : <IconCopy size={16} />}
      </ActionIcon>
    </Tooltip>
  );
}

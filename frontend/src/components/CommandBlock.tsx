// A shell command in a monospace block with a copy button (install commands and the like).
import { Box, Code } from '@mantine/core';
import { useRef } from 'react';
import { CopyIconButton } from './CopyIconButton';

interface Props {
  command: string;
  /** For the copy button's accessible name: "Copy <label>". */
  label: string;
  testId?: string;
}

export function CommandBlock({ command, label, testId }: Props) {
  const ref = useRef<HTMLElement>(null);
  return (
    <Box pos="relative">
      <Code
        ref={ref}
        block
        data-testid={testId}
        fz="sm"
        pr={52}
        style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
      >
        {command}
      </Code>
      <CopyIconButton value={command} label={label} selectTarget={ref} pos="absolute" top={8} right={8} />
    </Box>
  );
}

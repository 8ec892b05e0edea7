// The icon of an entry's kind (folder, file, link, device…), labelled for screen readers.
import { ThemeIcon } from '@mantine/core';
import { IconArrowsRightLeft, IconCpu, IconFile, IconFolderFilled, IconLink, IconPlug, IconQuestionMark } from '@tabler/icons-react';
import { kindLabel } from '../tree';

const ICONS = {
  dir: IconFolderFilled,
  file: IconFile,
  symlink: IconLink,
  dev: IconCpu,
  chardev: IconCpu,
  fifo: IconArrowsRightLeft,
  socket: IconPlug,
} as const;

export function KindIcon({ kind, size = 18 }: { kind: string; size?: number }) {
  const Icon = ICONS[kind as keyof typeof ICONS] ?? IconQuestionMark;
  return (
    <ThemeIcon
      variant="transparent"
      color={kind === 'dir' ? 'yellow' : 'gray'}
      size={size + 4}
      role="img"
      aria-label={kindLabel(kind)}
      title={kindLabel(kind)}
      style={{ flexShrink: 0 }}
    >
      <Icon size={size} stroke={1.6} aria-hidden />
    </ThemeIcon>
  );
}

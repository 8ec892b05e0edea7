// The product mark (a stack of stones) and name, used in the header and on the sign-in pages.
import { Group, Text, useMantineTheme } from '@mantine/core';

export function CairnMark({ size = 28 }: { size?: number }) {
  const theme = useMantineTheme();
  const color = theme.colors[theme.primaryColor]?.[6] ?? '#1c7ed6';
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill={color} />
      <ellipse cx="16" cy="25" rx="10" ry="3.5" fill="#fff" />
      <ellipse cx="16" cy="18" rx="7.5" ry="3" fill="#fff" />
      <ellipse cx="16" cy="11.5" rx="5" ry="2.6" fill="#fff" />
      <ellipse cx="16" cy="6" rx="2.8" ry="1.8" fill="#fff" />
    </svg>
  );
}

export function CairnLogo({ size = 28 }: { size?: number }) {
  return (
    <Group gap={8} wrap="nowrap">
      <CairnMark size={size} />
      <Text fw={700} fz={size * 0.7} lh={1}>
        Cairn
      </Text>
    </Group>
  );
}

// The directory being browsed as clickable segments from the snapshot's root down; the last
// one is where you are. Wraps on a phone instead of pushing the page sideways.
import { Anchor, Breadcrumbs, Group, Text } from '@mantine/core';
import { IconChevronRight, IconFolderRoot } from '@tabler/icons-react';
import { Link } from 'react-router';
import { pathSegments } from '../tree';

export function PathBreadcrumbs({ path, linkFor }: { path: string; linkFor: (dir: string) => string }) {
  const segments = pathSegments(path);
  return (
    <nav aria-label="Folder path" data-testid="path-breadcrumbs" style={{ minWidth: 0 }}>
      <Breadcrumbs separator={<IconChevronRight size={14} aria-hidden />} separatorMargin={4} style={{ flexWrap: 'wrap', rowGap: 2 }}>
        {segments.map((s, i) => {
          const last = i === segments.length - 1;
          const label =
            s.path === '/' ? (
              <Group gap={4} wrap="nowrap" component="span">
                <IconFolderRoot size={16} aria-hidden />
                <span>/</span>
              </Group>
            ) : (
              s.name
            );
          return last ? (
            <Text
              key={s.path}
              size="sm"
              fw={600}
              ff="monospace"
              aria-current="page"
              aria-label={s.path === '/' ? 'Snapshot root' : undefined}
              style={{ overflowWrap: 'anywhere' }}
            >
              {label}
            </Text>
          ) : (
            <Anchor
              key={s.path}
              component={Link}
              to={linkFor(s.path)}
              size="sm"
              ff="monospace"
              aria-label={s.path === '/' ? 'Snapshot root' : undefined}
              style={{ overflowWrap: 'anywhere' }}
            >
              {label}
            </Anchor>
          );
        })}
      </Breadcrumbs>
    </nav>
  );
}

// Under a paged list: "12 hosts · page 1 of 3" and the page buttons (hidden when one page holds all).
import { Group, Pagination, Text } from '@mantine/core';

interface Props {
  total: number;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  /** Singular and plural noun, e.g. ['host', 'hosts']. */
  noun: readonly [string, string];
  testId?: string;
}

export function ListPager({ total, page, pageSize, onPage, noun, testId }: Props) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <Group justify="space-between" gap="sm">
      <Text size="sm" c="dimmed" data-testid={testId}>
        {total} {total === 1 ? noun[0] : noun[1]}
        {pages > 1 ? ` · page ${page} of ${pages}` : ''}
      </Text>
      {pages > 1 ? <Pagination value={page} onChange={onPage} total={pages} size="sm" /> : null}
    </Group>
  );
}

// Under a list read a page at a time: how many match ("1,234 hosts", "10,000+ jobs", from the
// first page's count), how many are shown when that is fewer, and "Load more" while the server
// has more.
import { Button, Group, Text } from '@mantine/core';
import { formatCount, formatTotal } from '@/lib/units';

interface Props {
  /** Rows shown so far (every page loaded). */
  shown: number;
  /** How many match, when the server counted them. */
  total?: number;
  /** The server stopped counting at `total`: more match. */
  capped?: boolean;
  /** Singular and plural noun, e.g. ['host', 'hosts']. */
  noun: readonly [string, string];
  /** The server has another page. */
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  /** On the count. */
  testId?: string;
}

export function ListFooter({ shown, total, capped = false, noun, hasMore, loadingMore, onLoadMore, testId }: Props) {
  const plural = (n: number, more = false) => (n === 1 && !more ? noun[0] : noun[1]);
  const partial = total !== undefined && (hasMore || shown < total);
  return (
    <Group justify="space-between" gap="sm">
      <Group gap={6}>
        <Text size="sm" c="dimmed" data-testid={testId}>
          {total !== undefined
            ? `${formatTotal(total, capped)} ${plural(total, capped)}`
            : `Showing ${formatCount(shown)} ${plural(shown)}`}
        </Text>
        {partial ? (
          <Text size="sm" c="dimmed" data-testid={testId ? `${testId}-shown` : undefined}>
            · showing {formatCount(shown)}
          </Text>
        ) : null}
      </Group>
      {hasMore ? (
        <Button variant="default" size="sm" onClick={onLoadMore} loading={loadingMore}>
          Load more
        </Button>
      ) : null}
    </Group>
  );
}

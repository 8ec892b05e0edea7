// /audit: who did what and when. Filters, paged table, event details, exports and a
// hash-chain verification.
import { Button, Center, Collapse, Group, Menu, Paper, Stack, Text } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { IconChevronDown, IconChevronUp, IconDownload, IconFilter, IconListSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { AuditEvent } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ListEmptyState } from '@/components/ListEmptyState';
import { PageHeader } from '@/components/PageHeader';
import { auditRetentionText, useHistorySettings } from '@/lib/history';
import { PAGE_SIZE, emptyFilters, exportUrl, useAuditEvents, useVerifyAudit, type AuditFilters } from '../api';
import { AuditEventDrawer } from '../components/AuditEventDrawer';
import { AuditFiltersForm } from '../components/AuditFiltersForm';
import { AuditTable } from '../components/AuditTable';
import { VerifyChainButton, VerifyResult } from '../components/VerifyChain';

// A text filter (a name that contains, an action prefix) makes the server look at a window
// of events per request: a short page that still has a next cursor means "no more matches
// in this window". The page then asks for the next window by itself, this many per click.
const AUTO_WINDOWS = 10;

export function AuditPage() {
  const [filters, setFiltersState] = useState<AuditFilters>(emptyFilters);
  const [open, setOpen] = useState<AuditEvent | null>(null);
  const events = useAuditEvents(filters);
  // Pages there were when the user last asked (a new filter, a click): the pages fetched
  // since, beyond the one asked for, were fetched by the page itself.
  const [asked, setAsked] = useState(0);
  const setFilters = (f: AuditFilters) => {
    setAsked(0);
    setFiltersState(f);
  };
  const pages = events.data?.pages ?? [];
  const lastPage = pages.at(-1);
  const lastShort = lastPage !== undefined && lastPage.items.length < PAGE_SIZE;
  const autoLeft = AUTO_WINDOWS - Math.max(0, pages.length - asked - 1);
  const { hasNextPage, isFetching, fetchNextPage } = events;
  useEffect(() => {
    if (lastShort && hasNextPage && !isFetching && autoLeft > 0) void fetchNextPage();
  }, [lastShort, hasNextPage, isFetching, autoLeft, fetchNextPage]);
  const searching = lastShort && hasNextPage && autoLeft > 0;
  const loadMore = () => {
    setAsked(pages.length);
    void fetchNextPage();
  };
  const verify = useVerifyAudit();
  const retention = auditRetentionText(useHistorySettings().data);
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = JSON.stringify(filters) !== JSON.stringify(emptyFilters);
  // On a phone the six filter fields would push the log off screen: they fold behind a button.
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const [showFilters, { toggle: toggleFilters }] = useDisclosure(false);

  return (
    <Stack gap="md">
      <PageHeader
        mb={0}
        title="Audit log"
        description="Every change and every refused request, in order. Entries are hash-chained, so editing the log shows."
        actions={
          <>
            <VerifyChainButton onClick={() => verify.mutate()} loading={verify.isPending} />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button variant="default" leftSection={<IconDownload size={16} />} rightSection={<IconChevronDown size={14} />}>
                  Export
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>With the current filters</Menu.Label>
                <Menu.Item component="a" href={exportUrl(filters, 'csv')} download>
                  Export CSV
                </Menu.Item>
                <Menu.Item component="a" href={exportUrl(filters, 'ndjson')} download>
                  Export NDJSON
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </>
        }
      />

      {retention ? (
        <Text size="xs" c="dimmed" mt={-8} data-testid="audit-retention">
          {retention}
        </Text>
      ) : null}
      <VerifyResult result={verify.data} error={verify.error} onClose={() => verify.reset()} />

      {phone ? (
        <Button
          variant="default"
          leftSection={<IconFilter size={16} />}
          rightSection={showFilters ? <IconChevronUp size={14} /> : <IconChevronDown size={14} />}
          onClick={toggleFilters}
          aria-expanded={showFilters}
        >
          {filtered ? 'Filters (active)' : 'Filters'}
        </Button>
      ) : null}
      <Collapse expanded={!phone || showFilters}>
        <Paper withBorder radius="md" p="md">
          <AuditFiltersForm value={filters} onApply={setFilters} />
        </Paper>
      </Collapse>

      <ErrorAlert error={events.error} title="Could not load the audit log" />

      {events.data && items.length === 0 && !hasNextPage ? (
        <ListEmptyState
          icon={<IconListSearch size={28} />}
          things="events"
          filtered={filtered}
          filteredDescription="Widen the time range or clear a filter."
          description="Sign-ins, changes and refused requests will be listed here as they happen."
        />
      ) : null}

      {items.length > 0 ? <AuditTable events={items} onOpen={setOpen} /> : null}

      {items.length > 0 || (events.data && hasNextPage) ? (
        <Group justify="space-between">
          <Text size="sm" c="dimmed" data-testid="audit-count">
            {items.length === 0
              ? searching
                ? 'Searching older events…'
                : 'No match among the newest events searched so far.'
              : `Showing ${items.length} ${items.length === 1 ? 'event' : 'events'}, newest first`}
          </Text>
          {hasNextPage ? (
            <Button variant="default" onClick={loadMore} loading={events.isFetchingNextPage || searching}>
              {items.length === 0 ? 'Search older events' : 'Load more'}
            </Button>
          ) : (
            <Text size="sm" c="dimmed">
              End of the log
            </Text>
          )}
        </Group>
      ) : null}

      {events.isPending ? (
        <Center p="xl">
          <Text c="dimmed" size="sm">
            Loading events…
          </Text>
        </Center>
      ) : null}

      <AuditEventDrawer event={open} onClose={() => setOpen(null)} />
    </Stack>
  );
}

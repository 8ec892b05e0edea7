// /jobs: every backup, init and snapshot refresh, newest first, a page at a time ("Load more");
// filters by host, kind, status and time live in the URL (a change starts again from the first
// page); refreshes by itself (faster while a listed job runs).
import { Button, Stack, Text } from '@mantine/core';
import { IconHistory, IconServer } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router';
import { loadedList } from '@/api/paging';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ListEmptyState } from '@/components/ListEmptyState';
import { ListFooter } from '@/components/ListFooter';
import { jobsRetentionText, useHistorySettings } from '@/lib/history';
import { PageHeader } from '@/components/PageHeader';
import { TableSkeleton } from '@/components/TableSkeleton';
import { paths } from '@/lib/paths';
import { useHostChoices, useJobs } from '../api';
import { JobFiltersBar } from '../components/JobFiltersBar';
import { JobsTable } from '../components/JobsTable';
import { filtersFromParams, isFiltered, withFilter } from '../filters';

export function JobsPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const jobs = useJobs(filters);
  const list = loadedList(jobs.data);
  const hosts = useHostChoices();
  const filtered = isFiltered(filters);
  const retention = jobsRetentionText(useHistorySettings().data);

  return (
    <Stack gap="md">
      <PageHeader
        mb={0}
        title="Jobs"
        description="Backups and other restic runs on your hosts, newest first. Open one for its live log and results."
      />

      <JobFiltersBar
        filters={filters}
        hosts={hosts.data ?? []}
        onChange={(field, value) => setParams((prev) => withFilter(prev, field, value), { replace: true })}
      />

      <ErrorAlert error={jobs.error} title="Could not load jobs" />

      {jobs.isPending ? <TableSkeleton label="Loading jobs" /> : null}

      {jobs.data && list.items.length === 0 ? (
        <ListEmptyState
          testId="jobs-empty"
          icon={<IconHistory size={28} />}
          things="jobs"
          filtered={filtered}
          filteredDescription="Widen the time range or clear a filter."
          onClearFilters={() => setParams({}, { replace: true })}
          description="Open a host and press “Run backup now” to make its first snapshot; its live log and results show up here."
          action={
            <Button component={Link} to={paths.hosts()} leftSection={<IconServer size={16} />}>
              Go to hosts
            </Button>
          }
        />
      ) : null}

      {list.items.length > 0 ? (
        <>
          <JobsTable jobs={list.items} />
          <ListFooter
            shown={list.items.length}
            total={list.total}
            capped={list.capped}
            noun={['job', 'jobs']}
            hasMore={jobs.hasNextPage && !jobs.isPlaceholderData}
            loadingMore={jobs.isFetchingNextPage}
            onLoadMore={() => void jobs.fetchNextPage()}
            testId="jobs-count"
          />
        </>
      ) : null}
      {retention ? (
        <Text size="xs" c="dimmed" data-testid="jobs-retention">
          {retention}
        </Text>
      ) : null}
    </Stack>
  );
}

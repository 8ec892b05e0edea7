// /alerts: what the rules raised, newest first, a page at a time ("Load more"); unresolved by
// default, with state, severity, rule and host filters in the URL; operators and admins act on
// each row (acknowledge, resolve, snooze). Refreshed every 15 s.
import { Anchor, Button, Group, Stack } from '@mantine/core';
import { IconAdjustmentsAlt, IconBellCheck, IconSend } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router';
import { loadedList } from '@/api/paging';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ListEmptyState } from '@/components/ListEmptyState';
import { ListFooter } from '@/components/ListFooter';
import { PageHeader } from '@/components/PageHeader';
import { TableSkeleton } from '@/components/TableSkeleton';
import { useHostPermission, usePermission } from '@/lib/auth';
import { paths } from '@/lib/paths';
import { useAlerts, useHostChoices } from '../api';
import { AlertFiltersBar } from '../components/AlertFiltersBar';
import { AlertsTable } from '../components/AlertsTable';
import { STATE_FILTERS, filtersFromParams, isFiltered, withFilter, type AlertFilters } from '../filters';

/** What an empty list means, for each state filter. */
function emptyText(f: AlertFilters): { things: string; description: string } {
  switch (f.state) {
    case 'unresolved':
      return { things: 'unresolved alerts', description: 'No unresolved alerts: every backup, check and agent is fine.' };
    case 'open':
      return { things: 'open alerts', description: 'No open alerts: anything still unresolved has been acknowledged.' };
    case 'acknowledged':
      return { things: 'acknowledged alerts', description: 'Nobody has acknowledged an alert that is still unresolved.' };
    case 'resolved':
      return { things: 'resolved alerts', description: 'No alert has been resolved yet.' };
    case 'all':
      return { things: 'alerts', description: 'No alert has been raised: every backup, check and agent has been fine so far.' };
  }
}

export function AlertsPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const alerts = useAlerts(filters);
  const list = loadedList(alerts.data);
  const hosts = useHostChoices();
  const hostNames = new Map((hosts.data ?? []).map((h) => [h.value, h.label]));
  // Acknowledging is per host (host roles count); the rules and channels are global.
  const canManage = useHostPermission('alerts_manage');
  const canConfigure = usePermission('alerts_configure');
  const empty = emptyText(filters);
  const stateLabel = STATE_FILTERS.find((s) => s.value === filters.state)?.label.toLowerCase() ?? 'matching';

  return (
    <Stack gap="md">
      <PageHeader
        mb={0}
        title="Alerts"
        description="Failed backups, checks and restores; schedules that did not run, stuck jobs, locked repositories, silent agents and unusual changes. An alert resolves itself once the problem is gone."
        actions={
          <Group gap="xs">
            <Button component={Link} to={paths.alertRules()} variant="default" leftSection={<IconAdjustmentsAlt size={16} />}>
              Rules
            </Button>
            {canConfigure ? (
              <Button component={Link} to={paths.alertChannels()} variant="default" leftSection={<IconSend size={16} />} data-testid="alert-channels-link">
                Channels
              </Button>
            ) : null}
          </Group>
        }
      />

      <AlertFiltersBar
        filters={filters}
        hosts={hosts.data ?? []}
        onChange={(change) => setParams((prev) => withFilter(prev, change), { replace: true })}
      />

      <ErrorAlert error={alerts.error} title="Could not load alerts" />

      {alerts.isPending ? <TableSkeleton label="Loading alerts" /> : null}

      {alerts.data && list.items.length === 0 ? (
        <ListEmptyState
          testId="alerts-empty"
          icon={<IconBellCheck size={28} />}
          things={empty.things}
          filtered={isFiltered(filters)}
          filteredDescription="Clear a filter, or pick another state."
          onClearFilters={() => setParams({}, { replace: true })}
          description={
            <>
              {empty.description}
              {canConfigure ? (
                <>
                  {' '}What raises an alert is set in the{' '}
                  <Anchor component={Link} to={paths.alertRules()} inherit>
                    alert rules
                  </Anchor>
                  .
                </>
              ) : null}
            </>
          }
        />
      ) : null}

      {list.items.length > 0 ? (
        <>
          <AlertsTable alerts={list.items} hostNames={hostNames} canManage={canManage} />
          <ListFooter
            shown={list.items.length}
            noun={[`${stateLabel === 'all' ? '' : `${stateLabel} `}alert`, `${stateLabel === 'all' ? '' : `${stateLabel} `}alerts`]}
            hasMore={alerts.hasNextPage && !alerts.isPlaceholderData}
            loadingMore={alerts.isFetchingNextPage}
            onLoadMore={() => void alerts.fetchNextPage()}
            testId="alerts-count"
          />
        </>
      ) : null}
    </Stack>
  );
}

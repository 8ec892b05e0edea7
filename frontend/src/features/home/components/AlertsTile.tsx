// The alerts tile: unresolved alerts by severity (critical, error, warning, info), opening the
// alerts page; "No unresolved alerts" when there are none. Read every 15 s with the navigation's badge.
import { Card, Group, SimpleGrid, Skeleton, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconBell, IconBellCheck } from '@tabler/icons-react';
import { Link } from 'react-router';
import { ALERT_SEVERITIES } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { SEVERITY_META, useAlertSummary } from '@/lib/alerts';
import { paths } from '@/lib/paths';
import { formatCount } from '@/lib/units';

/** Worst first. */
const SEVERITIES = [...ALERT_SEVERITIES].reverse();

export function AlertsTile() {
  const summary = useAlertSummary();
  const data = summary.data;
  const total = data ? data.open + data.acknowledged : 0;
  const worst = data ? SEVERITIES.find((s) => data[s] > 0) : undefined;
  let body;
  if (summary.isPending) {
    body = (
      <Stack gap={6} aria-busy="true" aria-label="Loading the alerts">
        <Skeleton height={20} />
        <Skeleton height={16} width="60%" />
      </Stack>
    );
  } else if (summary.isError) {
    body = <ErrorAlert error={summary.error} title="Could not load the alerts" />;
  } else if (total === 0) {
    body = (
      <Text size="sm" c="dimmed" data-testid="home-alerts-none">
        No unresolved alerts
      </Text>
    );
  } else {
    body = (
      <Stack gap={4}>
        <SimpleGrid cols={4} spacing="xs">
          {SEVERITIES.map((s) => (
            <div key={s} data-testid={`home-alerts-${s}`} data-value={data?.[s] ?? 0}>
              {/* The color's text shade reads on both color schemes. */}
              <Text fz={24} fw={700} lh={1.2} c={data && data[s] > 0 ? `var(--mantine-color-${SEVERITY_META[s].color}-text)` : 'dimmed'}>
                {formatCount(data?.[s] ?? 0)}
              </Text>
              <Text size="xs" c="dimmed">
                {SEVERITY_META[s].label}
              </Text>
            </div>
          ))}
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          {formatCount(data?.open ?? 0)} open · {formatCount(data?.acknowledged ?? 0)} acknowledged
        </Text>
      </Stack>
    );
  }
  return (
    <Card
      withBorder
      radius="md"
      padding="md"
      component={Link}
      to={paths.alerts()}
      aria-label={summary.isSuccess ? (total === 0 ? 'Alerts: none unresolved' : `Alerts: ${total} unresolved`) : 'Alerts'}
      data-testid="home-alerts-tile"
      data-state={summary.isPending ? 'loading' : summary.isError ? 'error' : total === 0 ? 'none' : 'some'}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" mb="xs">
        <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
          Alerts
        </Text>
        <ThemeIcon variant="light" color={worst ? SEVERITY_META[worst].color : 'teal'} size="lg" radius="md">
          {worst ? <IconBell size={20} /> : <IconBellCheck size={20} />}
        </ThemeIcon>
      </Group>
      {body}
    </Card>
  );
}

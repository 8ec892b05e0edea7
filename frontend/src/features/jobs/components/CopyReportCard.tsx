// What a copy to a mirror did (`result.copy`): how many snapshots it added to the mirror, how
// many of the source's snapshots in its scope the mirror still lacks, and the newest snapshot
// on each side (measured by listing both repositories after the copy).
import { Anchor, Card, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { CopyReport } from '@/api/types';
import { formatDateTime, formatRelative } from '@/lib/format';
import { formatCount } from '@/lib/units';

function Stat({ label, value, hint, testId, color }: { label: string; value: string; hint?: string; testId: string; color?: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz="lg" fw={700} c={color} data-testid={testId} style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Paper>
  );
}

const snapshots = (n: number) => `${formatCount(n)} ${n === 1 ? 'snapshot' : 'snapshots'}`;

/** Where the copy came from: the source repository's page, by name once read. */
export interface CopySource {
  id: string;
  name?: string;
  host?: string | null;
  tags?: string[];
}

function sourceLine(source: CopySource): string {
  const scope = [source.host ? `host ${source.host}` : 'every host', ...(source.tags?.length ? [`tagged ${source.tags.join(',')}`] : [])];
  return `snapshots of ${scope.join(', ')}`;
}

export function CopyReportCard({ report, source }: { report?: CopyReport | null; source?: CopySource }) {
  if (!report) return source ? <CopySourceCard source={source} /> : null;
  return <CopyReport report={report} source={source} />;
}

function SourceText({ source }: { source: CopySource }) {
  return (
    <Text size="sm" data-testid="copy-source">
      From{' '}
      <Anchor component={Link} to={`/repositories/${source.id}`}>
        {source.name ?? 'the source repository'}
      </Anchor>
      : {sourceLine(source)}.
    </Text>
  );
}

function CopySourceCard({ source }: { source: CopySource }) {
  return (
    <Card withBorder radius="md" padding="lg" data-testid="job-copy-report">
      <Stack gap="sm">
        <Title order={3} fz="h4">
          Copy
        </Title>
        <SourceText source={source} />
      </Stack>
    </Card>
  );
}

function CopyReport({ report, source }: { report: CopyReport; source?: CopySource }) {
  const { copied, missing, source_snapshots: inScope } = report;
  const verdict =
    inScope === 0
      ? 'The source has no snapshot in the copy’s scope (host and tags).'
      : missing === 0
        ? `The mirror holds all ${snapshots(inScope)} in scope.`
        : `${formatCount(missing)} of ${snapshots(inScope)} in scope are not in the mirror.`;
  return (
    <Card withBorder radius="md" padding="lg" data-testid="job-copy-report">
      <Stack gap="sm">
        <Title order={3} fz="h4">
          Copy
        </Title>
        {source ? <SourceText source={source} /> : null}
        <Text size="sm" c={missing > 0 ? 'orange' : 'dimmed'} data-testid="copy-verdict">
          {verdict}
        </Text>
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
          <Stat label="Copied" value={formatCount(copied)} hint={copied === 1 ? 'snapshot this run' : 'snapshots this run'} testId="copy-copied" />
          <Stat
            label="Missing"
            value={`${formatCount(missing)} of ${formatCount(inScope)}`}
            hint="in scope, not in the mirror"
            color={missing > 0 ? 'orange' : undefined}
            testId="copy-missing"
          />
          <Stat
            label="Newest in source"
            value={report.source_newest ? formatDateTime(report.source_newest) : 'none'}
            hint={report.source_newest ? formatRelative(report.source_newest) : undefined}
            testId="copy-source-newest"
          />
          <Stat
            label="Newest copied"
            value={report.copied_newest ? formatDateTime(report.copied_newest) : 'none'}
            hint={report.copied_newest ? formatRelative(report.copied_newest) : undefined}
            testId="copy-copied-newest"
          />
        </SimpleGrid>
      </Stack>
    </Card>
  );
}

// An "unusual change" alert's evidence as a picture: this backup's bytes added and files new or
// changed beside the host's usual (the median of its recent runs) and the threshold it crossed,
// each measure on its own scale, so a 200× jump reads at a glance.
import { Group, Progress, Stack, Text } from '@mantine/core';
import { formatBytes, formatCount } from '@/lib/units';

interface Change {
  bytes_added: number;
  files: number;
}

export interface Baseline {
  change: Change;
  median: Change;
  runs: number;
  factor: number;
  /** The floors a measure must also reach (absent in alerts raised before they were recorded). */
  min_bytes: number;
  min_files: number;
  bytes_unusual: boolean;
  files_unusual: boolean;
}

const isChange = (v: unknown): v is Change =>
  typeof v === 'object' && v !== null && typeof (v as Change).bytes_added === 'number' && typeof (v as Change).files === 'number';

/** The baseline an alert's `details.baseline` carries, if it is one. */
export function baselineOf(details: unknown): Baseline | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const b = (details as { baseline?: unknown }).baseline as Partial<Baseline> | undefined;
  if (!b || !isChange(b.change) || !isChange(b.median) || typeof b.runs !== 'number' || typeof b.factor !== 'number') return undefined;
  return {
    change: b.change,
    median: b.median,
    runs: b.runs,
    factor: b.factor,
    min_bytes: typeof b.min_bytes === 'number' ? b.min_bytes : 0,
    min_files: typeof b.min_files === 'number' ? b.min_files : 0,
    bytes_unusual: !!b.bytes_unusual,
    files_unusual: !!b.files_unusual,
  };
}

function Measure({ label, value, usual, factor, floor, unusual, format, testId }: {
  label: string; value: number; usual: number; factor: number; floor: number; unusual: boolean; format: (n: number) => string; testId: string;
}) {
  // Unusual means above factor × the usual and at least the floor: the larger of the two.
  const threshold = Math.max(usual * factor, floor);
  const top = Math.max(value, threshold, 1);
  const pct = (n: number) => Math.max((n / top) * 100, n > 0 ? 1 : 0);
  return (
    <Stack gap={4} data-testid={testId} data-unusual={unusual}>
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Text size="sm" fw={500}>{label}</Text>
        <Text size="sm" c={unusual ? 'red' : 'dimmed'}>
          {format(value)} · usually {format(usual)} · threshold {format(threshold)}
        </Text>
      </Group>
      <Stack gap={2}>
        <Progress value={pct(value)} color={unusual ? 'red' : 'blue'} size="lg" aria-label={`${label}: this backup`} />
        <Progress value={pct(usual)} color="gray" size="sm" aria-label={`${label}: usual`} />
      </Stack>
    </Stack>
  );
}

export function BaselineChart({ baseline }: { baseline: Baseline }) {
  return (
    <Stack gap="sm" data-testid="alert-baseline">
      <Text size="sm" c="dimmed">
        This backup against the median of its last {baseline.runs} backups; more than {baseline.factor}× is unusual.
      </Text>
      <Measure label="Bytes added" value={baseline.change.bytes_added} usual={baseline.median.bytes_added} factor={baseline.factor}
        floor={baseline.min_bytes} unusual={baseline.bytes_unusual} format={formatBytes} testId="baseline-bytes" />
      <Measure label="Files new or changed" value={baseline.change.files} usual={baseline.median.files} factor={baseline.factor}
        floor={baseline.min_files} unusual={baseline.files_unusual} format={formatCount} testId="baseline-files" />
    </Stack>
  );
}

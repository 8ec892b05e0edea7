// Filters above the history: host, kind, status and a time range (presets or from/to); every
// change is written to the URL at once.
import { Group, Select, TextInput } from '@mantine/core';
import { JOB_KINDS, JOB_STATES } from '@/api/types';
import { JOB_KIND_LABEL, JOB_STATE_META } from '@/lib/jobs';
import { TIME_RANGES, type JobFilters } from '../api';
import type { FilterField } from '../filters';

interface Props {
  filters: JobFilters;
  hosts: { value: string; label: string }[];
  onChange: (field: FilterField, value: string | null) => void;
}

export function JobFiltersBar({ filters, hosts, onChange }: Props) {
  // A host filtered by id from a link may not be among the first 500: keep it selectable.
  const hostData =
    filters.hostId && !hosts.some((h) => h.value === filters.hostId) ? [...hosts, { value: filters.hostId, label: 'selected host' }] : hosts;
  return (
    <Group gap="sm" align="flex-end" wrap="wrap" data-testid="job-filters">
      <Select
        label="Host"
        placeholder="Any host"
        clearable
        searchable
        nothingFoundMessage="No host by that name"
        data={hostData}
        value={filters.hostId}
        onChange={(v) => onChange('hostId', v)}
        style={{ flex: '1 1 200px' }}
      />
      <Select
        label="Kind"
        placeholder="Any kind"
        clearable
        data={JOB_KINDS.map((k) => ({ value: k, label: JOB_KIND_LABEL[k] }))}
        value={filters.kind}
        onChange={(v) => onChange('kind', v)}
        style={{ flex: '1 1 170px' }}
      />
      <Select
        label="Status"
        placeholder="Any status"
        clearable
        data={JOB_STATES.map((s) => ({ value: s, label: JOB_STATE_META[s].label }))}
        value={filters.status}
        onChange={(v) => onChange('status', v)}
        style={{ flex: '1 1 150px' }}
      />
      <Select
        label="Time"
        placeholder="Any time"
        clearable
        data={TIME_RANGES.map((r) => ({ value: r.value, label: r.label }))}
        value={filters.range}
        onChange={(v) => onChange('range', v)}
        style={{ flex: '1 1 170px' }}
      />
      {filters.range === 'custom' ? (
        <>
          <TextInput
            label="From"
            type="datetime-local"
            value={filters.since}
            onChange={(e) => onChange('since', e.currentTarget.value)}
            style={{ flex: '1 1 200px' }}
          />
          <TextInput
            label="To"
            type="datetime-local"
            value={filters.until}
            error={filters.since && filters.until && filters.until < filters.since ? '“To” is before “From”' : undefined}
            onChange={(e) => onChange('until', e.currentTarget.value)}
            style={{ flex: '1 1 200px' }}
          />
        </>
      ) : null}
    </Group>
  );
}

// Filters above the alerts: state (unresolved by default), severities, rule and host; every
// change is written to the URL at once. The fields wrap onto their own lines on a phone.
import { Group, MultiSelect, Select } from '@mantine/core';
import { ALERT_RULES, ALERT_SEVERITIES } from '@/api/types';
import { RULE_LABEL, SEVERITY_META } from '@/lib/alerts';
import { STATE_FILTERS, type AlertFilters, type FilterChange } from '../filters';

interface Props {
  filters: AlertFilters;
  hosts: { value: string; label: string }[];
  onChange: (change: FilterChange) => void;
}

export function AlertFiltersBar({ filters, hosts, onChange }: Props) {
  // A host filtered by id from a link may not be among the first 500: keep it selectable.
  const hostData =
    filters.hostId && !hosts.some((h) => h.value === filters.hostId) ? [...hosts, { value: filters.hostId, label: 'selected host' }] : hosts;
  return (
    <Group gap="sm" align="flex-end" wrap="wrap" data-testid="alert-filters">
      <Select
        label="State"
        data={STATE_FILTERS.map((s) => ({ value: s.value, label: s.label }))}
        value={filters.state}
        allowDeselect={false}
        onChange={(v) => onChange({ field: 'state', value: v ?? 'unresolved' })}
        style={{ flex: '1 1 160px' }}
      />
      <MultiSelect
        label="Severity"
        placeholder={filters.severity.length === 0 ? 'Any severity' : undefined}
        clearable
        data={[...ALERT_SEVERITIES].reverse().map((s) => ({ value: s, label: SEVERITY_META[s].label }))}
        value={filters.severity}
        onChange={(v) => onChange({ field: 'severity', value: ALERT_SEVERITIES.filter((s) => v.includes(s)) })}
        style={{ flex: '1 1 220px' }}
      />
      <Select
        label="Rule"
        placeholder="Any rule"
        clearable
        data={ALERT_RULES.map((r) => ({ value: r, label: RULE_LABEL[r] }))}
        value={filters.rule}
        onChange={(v) => onChange({ field: 'rule', value: v })}
        style={{ flex: '1 1 200px' }}
      />
      <Select
        label="Host"
        placeholder="Any host"
        clearable
        searchable
        nothingFoundMessage="No host by that name"
        data={hostData}
        value={filters.hostId}
        onChange={(v) => onChange({ field: 'hostId', value: v })}
        style={{ flex: '1 1 200px' }}
      />
    </Group>
  );
}

// An alert rule as a form edits it, and back to the request: its integer thresholds (`params`,
// free-form JSON in the schema) read safely, their ranges from the rule's `thresholds`, and
// the server's field names mapped onto the form's inputs.
import type { AlertRule, AlertSeverity, UpdateAlertRuleRequest } from '@/api/types';

export interface RuleValues {
  enabled: boolean;
  severity: AlertSeverity;
  /** Threshold name → value ('' while the box is empty). */
  params: Record<string, number | string>;
  hostTag: string;
}

/** The rule's integer thresholds; anything else in `params` is not a threshold and is left alone. */
export function paramsOf(rule: Pick<AlertRule, 'params'>): Record<string, number> {
  const out: Record<string, number> = {};
  const p = rule.params;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return out;
  for (const [key, value] of Object.entries(p as Record<string, unknown>)) {
    if (typeof value === 'number' && Number.isInteger(value)) out[key] = value;
  }
  return out;
}

export function ruleValues(rule: AlertRule): RuleValues {
  return { enabled: rule.enabled, severity: rule.severity, params: paramsOf(rule), hostTag: rule.host_tag ?? '' };
}

export function ruleRequest(values: RuleValues): UpdateAlertRuleRequest {
  const params: Record<string, number> = {};
  for (const [key, value] of Object.entries(values.params)) params[key] = Number(value);
  const tag = values.hostTag.trim();
  // An absent tag means every host (the request replaces the rule's settings whole).
  return {
    enabled: values.enabled,
    severity: values.severity,
    ...(Object.keys(params).length > 0 ? { params } : {}),
    ...(tag ? { host_tag: tag } : {}),
  };
}

/** The thresholds' names as a person reads them; an unknown one is spelled out from its key. */
const PARAM_LABEL: Record<string, string> = {
  escalate_after: 'Escalate after (failures in a row)',
  minutes: 'Minutes',
  grace_minutes: 'Grace (minutes)',
  hours: 'Hours',
  factor: 'Factor (× usual)',
  runs: 'Runs in the baseline',
  min_mib: 'At least (MiB added)',
  min_files: 'At least (files new or changed)',
};

/** "escalate_after" → "Escalate after (failures in a row)"; "some_key" → "Some key". */
export function paramLabel(key: string): string {
  const known = PARAM_LABEL[key];
  if (known) return known;
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The range the server gives for a threshold, if it gives one; the server checks it either way. */
export function rangeOf(rule: Pick<AlertRule, 'thresholds'>, key: string): { min: number; max: number; default: number } | undefined {
  const t = rule.thresholds.find((x) => x.name === key);
  return t ? { min: t.min, max: t.max, default: t.default } : undefined;
}

/** The server's `details.field` → the form's input. */
export const RULE_INPUTS = { params: 'params', host_tag: 'hostTag' } as const;

// An alert rule as a form edits it, and back to the request: its integer thresholds (`params`,
// free-form JSON in the schema) read safely, their ranges found in the rule's description, and
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

/** "escalate_after" → "Escalate after". */
export function paramLabel(key: string): string {
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const toInt = (s: string) => Number(s.replace(/[,\s\u00a0\u202f]/g, ''));

/**
 * The range the description gives for a threshold ("… `minutes` (15, range 2–10,080)"), if it
 * names one close after the threshold's name; the server checks the range either way.
 */
export function rangeOf(description: string, key: string): { min: number; max: number } | undefined {
  const at = description.indexOf(key);
  if (at < 0) return undefined;
  const near = description.slice(at + key.length, at + key.length + 80);
  const match = /(\d[\d,\u00a0\u202f]*)\s*(?:–|-|—|to|\.\.)\s*(\d[\d,\u00a0\u202f]*)/.exec(near);
  if (!match?.[1] || !match[2]) return undefined;
  const min = toInt(match[1]);
  const max = toInt(match[2]);
  return Number.isFinite(min) && Number.isFinite(max) && min <= max ? { min, max } : undefined;
}

/** The server's `details.field` → the form's input. */
export const RULE_INPUTS = { params: 'params', host_tag: 'hostTag' } as const;

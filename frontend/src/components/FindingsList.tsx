// What a preflight found, one line each with an icon by severity (blocked: it does not run;
// warning: it runs) and the stable code for support. Shared by the schedule rows and editor's
// "Check" and by a backup's job page (its `result.findings`).
import { Code, List, Text, ThemeIcon } from '@mantine/core';
import { IconAlertTriangle, IconHandStop } from '@tabler/icons-react';
import type { Finding, PreflightState, Severity } from '@/api/types';

export const SEVERITY_META: Record<Severity, { label: string; color: string }> = {
  warning: { label: 'Warning', color: 'yellow' },
  blocked: { label: 'Blocks', color: 'red' },
};

export const PREFLIGHT_STATE_META: Record<PreflightState, { label: string; color: string; help: string }> = {
  ready: { label: 'Ready', color: 'green', help: 'Ready: the server and the agent found nothing to fix.' },
  warning: { label: 'Warning', color: 'yellow', help: 'It runs, but something needs a look.' },
  blocked: { label: 'Blocked', color: 'red', help: 'It does not run until this is fixed.' },
};

function SeverityIcon({ severity }: { severity: Severity }) {
  const Icon = severity === 'blocked' ? IconHandStop : IconAlertTriangle;
  return (
    <ThemeIcon color={SEVERITY_META[severity].color} variant="light" size={22} radius="xl" aria-hidden="true">
      <Icon size={14} />
    </ThemeIcon>
  );
}

export function FindingsList({ findings, testId = 'findings' }: { findings: readonly Finding[]; testId?: string }) {
  if (findings.length === 0) return null;
  return (
    <List spacing={6} size="sm" center={false} data-testid={testId} styles={{ itemWrapper: { alignItems: 'flex-start' }, itemLabel: { minWidth: 0 } }}>
      {findings.map((f, i) => (
        <List.Item key={`${f.code}-${i}`} icon={<SeverityIcon severity={f.severity} />} data-testid="finding" data-severity={f.severity} data-code={f.code}>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {/* The theme's "light" text color of the hue: readable on light and dark schemes. */}
            <Text span fw={600} c={`var(--mantine-color-${SEVERITY_META[f.severity].color}-light-color)`}>
              {SEVERITY_META[f.severity].label}:
            </Text>{' '}
            {f.message}
          </Text>
          <Code fz="xs" c="dimmed">
            {f.code}
          </Code>
        </List.Item>
      ))}
    </List>
  );
}

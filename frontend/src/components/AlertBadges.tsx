// An alert's severity and state as colored badges, the same on the alerts pages, the host page
// and the home tile; the colors are Mantine's, so they read in dark mode too.
import { Badge, Tooltip, type BadgeProps } from '@mantine/core';
import type { AlertSeverity, AlertState } from '@/api/types';
import { ALERT_STATE_META, SEVERITY_META } from '@/lib/alerts';

type Props = Omit<BadgeProps, 'color' | 'children'>;

export function AlertSeverityBadge({ severity, ...props }: { severity: AlertSeverity } & Props) {
  const meta = SEVERITY_META[severity];
  return (
    // autoContrast: dark text on the yellow of a warning, white on the others.
    <Badge color={meta.color} variant="filled" autoContrast data-testid="alert-severity" data-severity={severity} style={{ flexShrink: 0 }} {...props}>
      {meta.label}
    </Badge>
  );
}

export function AlertStateBadge({ state, ...props }: { state: AlertState } & Props) {
  const meta = ALERT_STATE_META[state];
  return (
    <Tooltip label={meta.help} withArrow openDelay={300}>
      <Badge color={meta.color} variant="light" data-testid="alert-state" data-state={state} style={{ flexShrink: 0 }} {...props}>
        {meta.label}
      </Badge>
    </Tooltip>
  );
}

// The navigation's count of open alerts (nobody has taken them on yet), read every 15 s;
// nothing while there are none or the count cannot be read.
import { Badge, VisuallyHidden } from '@mantine/core';
import { useAlertSummary } from '@/lib/alerts';
import { formatCount } from '@/lib/units';

export function OpenAlertsBadge() {
  const summary = useAlertSummary();
  const open = summary.data?.open ?? 0;
  if (open === 0) return null;
  return (
    <Badge size="sm" color="red" variant="filled" circle={open < 10} data-testid="alerts-badge" data-value={open}>
      {formatCount(open)}
      <VisuallyHidden> open</VisuallyHidden>
    </Badge>
  );
}

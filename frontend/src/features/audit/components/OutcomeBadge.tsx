// Colored badge for an audit outcome.
import { Badge } from '@mantine/core';
import type { AuditOutcome } from '@/api/types';

const colors: Record<AuditOutcome, string> = { success: 'teal', denied: 'orange', failure: 'red' };

export function OutcomeBadge({ outcome }: { outcome: string }) {
  return (
    <Badge color={colors[outcome as AuditOutcome] ?? 'gray'} variant="light" size="sm">
      {outcome}
    </Badge>
  );
}

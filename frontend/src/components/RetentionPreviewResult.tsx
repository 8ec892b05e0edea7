// A retention preview's answer as people read it: a warning when the delete guard would block
// that forget ("the delete guard would block this: …"), then what it keeps (with restic's
// reasons) and removes. Shared by the schedule editor and the repository page's forget form.
import { Alert, Stack, Text } from '@mantine/core';
import { IconHandStop } from '@tabler/icons-react';
import type { RetentionPreview } from '@/api/types';
import { formatDateTime } from '@/lib/format';
import { ForgetReportTable } from './ForgetReportTable';

export function RetentionPreviewResult({ preview, stale = false }: { preview: RetentionPreview; stale?: boolean }) {
  return (
    <Stack gap="xs" data-testid="retention-preview" data-stale={String(stale)} style={{ opacity: stale ? 0.6 : 1 }}>
      {preview.blocked_by ? (
        <Alert color="orange" variant="light" icon={<IconHandStop size={18} />} p="xs" data-testid="retention-preview-blocked">
          <Text size="sm">The delete guard would block this: {preview.blocked_by}</Text>
        </Alert>
      ) : null}
      <Text size="sm" data-testid="retention-preview-summary">
        It would keep {preview.keep.length} and remove {preview.remove.length}{' '}
        {preview.remove.length === 1 ? 'snapshot' : 'snapshots'}.{' '}
        <Text span size="xs" c="dimmed">
          {stale ? 'The rules changed since this preview; preview again.' : `Asked ${formatDateTime(preview.checked_at, true)}; nothing was changed.`}
        </Text>
      </Text>
      <ForgetReportTable report={preview} defaultOpen />
    </Stack>
  );
}

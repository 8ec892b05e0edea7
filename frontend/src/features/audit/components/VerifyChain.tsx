// "Verify chain": asks the server to re-hash the whole audit log and shows the verdict.
import { Alert, Button } from '@mantine/core';
import { IconShieldCheck, IconShieldX } from '@tabler/icons-react';
import type { AuditVerification } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';

export function VerifyChainButton({ onClick, loading }: { onClick: () => void; loading: boolean }) {
  return (
    <Button variant="default" leftSection={<IconShieldCheck size={16} />} onClick={onClick} loading={loading}>
      Verify chain
    </Button>
  );
}

export function VerifyResult({ result, error, onClose }: { result?: AuditVerification; error: unknown; onClose: () => void }) {
  if (error) return <ErrorAlert error={error} title="Verification failed to run" />;
  if (!result) return null;
  return result.ok ? (
    <Alert
      color="teal"
      variant="light"
      icon={<IconShieldCheck size={20} />}
      title={`Chain intact: ${result.checked} ${result.checked === 1 ? 'event' : 'events'} checked`}
      withCloseButton
      onClose={onClose}
      data-testid="verify-result"
      data-ok="true"
    >
      {result.message}
    </Alert>
  ) : (
    <Alert
      color="red"
      variant="light"
      icon={<IconShieldX size={20} />}
      title={
        result.first_broken_id !== undefined
          ? `Chain broken at event #${result.first_broken_id}`
          : 'Chain broken'
      }
      withCloseButton
      onClose={onClose}
      data-testid="verify-result"
      data-ok="false"
    >
      {result.message} ({result.checked} events checked)
    </Alert>
  );
}

// Shows a new API token's secret exactly once, with a copy button and a usage example.
import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { CreatedApiToken } from '@/api/types';
import { CopyField } from '@/components/CopyField';

export function TokenSecretModal({ created, onClose }: { created: CreatedApiToken | null; onClose: () => void }) {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return (
    <Modal
      opened={created !== null}
      onClose={onClose}
      title="Your new API token"
      size="lg"
      closeOnClickOutside={false}
      data-testid="token-secret-modal"
    >
      {created ? (
        <Stack gap="md">
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Copy it now">
            This is the only time the token <b>{created.token.name}</b> is shown. You will not see it again: Cairn
            stores only a hash of it.
          </Alert>
          <CopyField label="Token" value={created.secret} testId="token-secret" />
          <Stack gap={4}>
            <Text size="sm" c="dimmed">
              Use it as a bearer token:
            </Text>
            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {`curl -H 'Authorization: Bearer ${created.secret}' \\\n  ${origin}/api/v1/auth/me`}
            </Code>
          </Stack>
          <Group justify="flex-end">
            <Button onClick={onClose} data-autofocus>
              I have copied it
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}

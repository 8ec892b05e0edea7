// Personal API tokens: list, create (secret shown once), revoke with confirmation.
import { ActionIcon, Button, Code, EmptyState, Group, Modal, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { ApiToken, CreatedApiToken, Role } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { RoleBadge } from '@/components/RoleBadge';
import { formatDateTime, formatRelative } from '@/lib/format';
import { notifySuccess } from '@/lib/notify';
import { useRevokeToken, useTokens } from '../api';
import { CreateTokenForm } from './CreateTokenForm';
import { TokenSecretModal } from './TokenSecretModal';

function expiryText(token: ApiToken): string {
  if (!token.expires_at) return 'Never';
  const expired = new Date(token.expires_at).getTime() < Date.now();
  return expired ? `Expired ${formatDateTime(token.expires_at)}` : formatDateTime(token.expires_at);
}

function RevokeForm({ token, onDone, onCancel }: { token: ApiToken; onDone: () => void; onCancel: () => void }) {
  const revoke = useRevokeToken();
  return (
    <Stack gap="sm">
      <Text size="sm">
        Scripts using <b>{token.name}</b> (<Code>{token.prefix}…</Code>) will get “401 Unauthorized” from now on. This
        cannot be undone.
      </Text>
      <ErrorAlert error={revoke.error} title="Could not revoke the token" />
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel} data-autofocus>
          Cancel
        </Button>
        <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate(token.id, { onSuccess: onDone })}>
          Revoke token
        </Button>
      </Group>
    </Stack>
  );
}

export function TokensSection({ ownRole }: { ownRole: Role }) {
  const tokens = useTokens();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const items = tokens.data?.items ?? [];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start" gap="sm">
        <Text size="sm" c="dimmed" maw={560}>
          Tokens let scripts call the Cairn API as you, with at most your role. Revoke any you no longer use.
        </Text>
        <Button leftSection={<IconPlus size={16} />} variant="light" onClick={() => setCreating(true)}>
          New token
        </Button>
      </Group>

      <ErrorAlert error={tokens.error} title="Could not load your tokens" />

      {tokens.data && items.length === 0 ? (
        <EmptyState
          size="sm"
          icon={<IconKey size={24} />}
          withIndicatorBackground
          title="No API tokens yet"
          description={
            <>
              Create one to use the API from scripts:
              <br />
              <Code style={{ whiteSpace: 'nowrap' }}>{"curl -H 'Authorization: Bearer …'"}</Code>
            </>
          }
          data-testid="tokens-empty"
        />
      ) : null}

      {items.length > 0 ? (
        <Table.ScrollContainer minWidth={680}>
          <Table verticalSpacing="xs" data-testid="tokens-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Prefix</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th w={50} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {t.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Code>{t.prefix}…</Code>
                  </Table.Td>
                  <Table.Td>
                    <RoleBadge role={t.role} size="sm" />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(t.created_at)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{expiryText(t)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c={t.last_used_at ? undefined : 'dimmed'}>
                      {formatRelative(t.last_used_at)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label="Revoke">
                      <ActionIcon variant="subtle" color="red" aria-label={`Revoke ${t.name}`} onClick={() => setRevoking(t)}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}

      <Modal opened={creating} onClose={() => setCreating(false)} title="New API token">
        {creating ? (
          <CreateTokenForm
            ownRole={ownRole}
            onCancel={() => setCreating(false)}
            onCreated={(c) => {
              setCreating(false);
              setCreated(c);
            }}
          />
        ) : null}
      </Modal>

      <TokenSecretModal created={created} onClose={() => setCreated(null)} />

      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title="Revoke API token?">
        {revoking ? (
          <RevokeForm
            token={revoking}
            onCancel={() => setRevoking(null)}
            onDone={() => {
              notifySuccess(`Token “${revoking.name}” revoked.`);
              setRevoking(null);
            }}
          />
        ) : null}
      </Modal>
    </Stack>
  );
}

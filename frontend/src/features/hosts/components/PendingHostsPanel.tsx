// Agents that announced themselves and wait for an administrator: compare the fingerprint
// with the one printed on the host, then accept (optionally with tags) or reject.
import { Alert, Badge, Button, Card, Group, Modal, Stack, TagsInput, Text, Textarea, Title } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconClockHour4, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import type { PendingHost } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { formatDateTime, formatRelative } from '@/lib/format';
import { notifySuccess } from '@/lib/notify';
import { hostTagsRule } from '@/lib/validation';
import { useAcceptPendingHost, useRejectPendingHost } from '../api';
import { Fingerprint } from './Fingerprint';
import { osArch } from './HostsTable';

type Decision = { kind: 'accept' | 'reject'; host: PendingHost } | null;

function AcceptForm({ host, tagOptions, onDone, onCancel }: { host: PendingHost; tagOptions: string[]; onDone: () => void; onCancel: () => void }) {
  const accept = useAcceptPendingHost();
  const [tags, setTags] = useState<string[]>([]);
  const tagsError = hostTagsRule(tags);
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (tagsError) return;
        accept.mutate(
          { id: host.id, tags },
          {
            onSuccess: (h) => {
              notifySuccess(`${h.hostname} joined the fleet. It comes online at its next poll.`, 'Host accepted');
              onDone();
            },
          },
        );
      }}
    >
      <Stack gap="sm">
        <Text size="sm">
          Only accept <b>{host.hostname}</b> if this fingerprint is exactly the one the agent printed on the host:
        </Text>
        <Fingerprint value={host.fingerprint} large />
        <DuplicateWarning host={host} />
        <TagsInput
          label="Tags"
          description="Optional; for filtering and grouping hosts. Press Enter after each tag."
          placeholder="e.g. web, prod"
          data={tagOptions}
          value={tags}
          onChange={setTags}
          error={tagsError}
          data-autofocus
          clearable
        />
        <ErrorAlert error={accept.error} title="Could not accept the host" />
        <FormActions submitLabel="Accept host" onCancel={onCancel} loading={accept.isPending} color="teal" icon={<IconCheck size={16} />} />
      </Stack>
    </form>
  );
}

function RejectForm({ host, onDone, onCancel }: { host: PendingHost; onDone: () => void; onCancel: () => void }) {
  const reject = useRejectPendingHost();
  const [message, setMessage] = useState('');
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        reject.mutate(
          { id: host.id, message: message.trim() || undefined },
          {
            onSuccess: () => {
              notifySuccess(`${host.hostname} was rejected; its agent stops waiting.`, 'Host rejected');
              onDone();
            },
          },
        );
      }}
    >
      <Stack gap="sm">
        <Text size="sm">
          The agent on <b>{host.hostname}</b> ({host.source_ip ?? 'unknown address'}) stops waiting and exits. It can
          announce itself again later.
        </Text>
        <Textarea
          label="Message for the host"
          description="Optional; the agent prints it before exiting."
          maxLength={500}
          autosize
          minRows={2}
          value={message}
          onChange={(e) => setMessage(e.currentTarget.value)}
          data-autofocus
        />
        <ErrorAlert error={reject.error} title="Could not reject the host" />
        <FormActions submitLabel="Reject host" onCancel={onCancel} loading={reject.isPending} color="red" icon={<IconX size={16} />} />
      </Stack>
    </form>
  );
}

function DuplicateWarning({ host }: { host: PendingHost }) {
  if (!host.duplicate_hostname) return null;
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="duplicate-warning" p="xs">
      <Text size="sm" fw={500}>
        A host with this name already exists — make sure this is not an impostor.
      </Text>
    </Alert>
  );
}

function PendingCard({ host, canApprove, onDecide }: { host: PendingHost; canApprove: boolean; onDecide: (d: Decision) => void }) {
  return (
    <Card withBorder radius="md" padding="md" data-testid={`pending-${host.hostname}`}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs">
          <Stack gap={2}>
            <Text fw={650} ff="monospace">
              {host.hostname}
            </Text>
            <Text size="sm" c="dimmed">
              {osArch(host)} · from {host.source_ip ?? 'unknown address'} ·{' '}
              <span title={formatDateTime(host.created_at, true)}>announced {formatRelative(host.created_at)}</span>
            </Text>
          </Stack>
          <Badge variant="light" color="yellow" tt="none" leftSection={<IconClockHour4 size={12} />}>
            expires {formatRelative(host.expires_at)}
          </Badge>
        </Group>
        <div>
          <Fingerprint value={host.fingerprint} large />
          <Text size="xs" c="dimmed" mt={4}>
            Compare with the fingerprint the agent printed on the host
          </Text>
        </div>
        <DuplicateWarning host={host} />
        {canApprove ? (
          <Group gap="xs">
            <Button color="teal" leftSection={<IconCheck size={16} />} onClick={() => onDecide({ kind: 'accept', host })}>
              Accept
            </Button>
            <Button variant="default" color="red" leftSection={<IconX size={16} />} onClick={() => onDecide({ kind: 'reject', host })}>
              Reject
            </Button>
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            An administrator must accept or reject this host.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

interface Props {
  hosts: PendingHost[];
  canApprove: boolean;
  tagOptions?: string[];
}

export function PendingHostsPanel({ hosts, canApprove, tagOptions = [] }: Props) {
  const [decision, setDecision] = useState<Decision>(null);
  const close = () => setDecision(null);
  // The dialog stays mounted while the list refreshes, so a decided host leaving the list
  // does not cut its own confirmation short.
  return (
    <>
      {hosts.length > 0 ? (
        <Card withBorder radius="md" padding="md" id="pending" data-testid="pending-panel" bg="var(--mantine-color-yellow-light)">
          <Stack gap="sm">
            <Group gap="xs">
              <IconClockHour4 size={20} />
              <Title order={3} fz="h4">
                {hosts.length === 1 ? '1 host waits for approval' : `${hosts.length} hosts wait for approval`}
              </Title>
            </Group>
            <Text size="sm" c="dimmed">
              These agents announced themselves without an enrollment token. Accept only hosts you recognise.
            </Text>
            {hosts.map((h) => (
              <PendingCard key={h.id} host={h} canApprove={canApprove} onDecide={setDecision} />
            ))}
          </Stack>
        </Card>
      ) : null}
      <Modal
        opened={decision !== null}
        onClose={close}
        title={decision?.kind === 'reject' ? `Reject ${decision.host.hostname}?` : `Accept ${decision?.host.hostname ?? ''}?`}
        size="lg"
      >
        {decision?.kind === 'accept' ? (
          <AcceptForm host={decision.host} tagOptions={tagOptions} onDone={close} onCancel={close} />
        ) : null}
        {decision?.kind === 'reject' ? <RejectForm host={decision.host} onDone={close} onCancel={close} /> : null}
      </Modal>
    </>
  );
}

// /alerts/channels (admins): where notifications go (email, ntfy, webhooks) and how each is routed;
// add, edit, test, read the delivery log, delete. A webhook's new secret is shown once, in a modal.
import { Alert, Anchor, Badge, Breadcrumbs, Button, Card, Code, Collapse, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { IconBell, IconListDetails, IconMail, IconPlus, IconSend, IconTrash, IconWebhook, IconPencil } from '@tabler/icons-react';
import { useMediaQuery } from '@mantine/hooks';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { loadedList } from '@/api/paging';
import type { Channel, ChannelKind, ChannelSaved } from '@/api/types';
import { ConfirmDeleteForm } from '@/components/ConfirmDeleteForm';
import { CopyField } from '@/components/CopyField';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ListEmptyState } from '@/components/ListEmptyState';
import { ListFooter } from '@/components/ListFooter';
import { PageHeader } from '@/components/PageHeader';
import { TableSkeleton } from '@/components/TableSkeleton';
import { paths } from '@/lib/paths';
import { useChannelDeliveries, useChannels, useDeleteChannel, useTestChannel } from '../api';
import { CHANNEL_KINDS, channelTarget, routingSummary, testResultText } from '../channels';
import { ChannelForm } from '../components/ChannelForm';
import { DeliveriesTable } from '../components/DeliveriesTable';

const KIND_ICON: Record<ChannelKind, ReactNode> = {
  email: <IconMail size={14} />,
  ntfy: <IconBell size={14} />,
  webhook: <IconWebhook size={14} />,
};

function kindLabel(kind: ChannelKind): string {
  return CHANNEL_KINDS.find((k) => k.value === kind)?.label ?? kind;
}

/** "Send test" and its answer beside it (green when delivered, red with the reason otherwise). */
function TestButton({ channel }: { channel: Channel }) {
  const test = useTestChannel(channel.id);
  const result = test.data;
  return (
    <Group gap="xs" wrap="wrap">
      <Button
        size="xs"
        variant="default"
        leftSection={<IconSend size={14} />}
        loading={test.isPending}
        onClick={() => test.mutate()}
        data-testid="channel-test"
      >
        Send test
      </Button>
      {result && !test.isPending ? (
        <Text size="sm" c={result.delivered ? 'green' : 'red'} data-testid="channel-test-result" data-delivered={String(result.delivered)} role="status" style={{ overflowWrap: 'anywhere' }}>
          {testResultText(result)}
        </Text>
      ) : null}
      {test.error && !test.isPending ? (
        <Text size="sm" c="red" data-testid="channel-test-result" data-delivered="false" role="status">
          {test.error.message}
        </Text>
      ) : null}
    </Group>
  );
}

/** A channel's delivery log, newest first, with "Load more". */
function ChannelDeliveries({ channelId }: { channelId: string }) {
  const deliveries = useChannelDeliveries(channelId);
  const list = loadedList(deliveries.data);
  return (
    <Stack gap="xs" data-testid="channel-deliveries">
      <ErrorAlert error={deliveries.error} title="Could not load the delivery log" />
      {deliveries.isPending ? <TableSkeleton label="Loading the delivery log" /> : null}
      {deliveries.data && list.items.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing has been sent over this channel yet.
        </Text>
      ) : null}
      {list.items.length > 0 ? <DeliveriesTable deliveries={list.items} show="alert" /> : null}
      {list.items.length > 0 ? (
        <ListFooter
          shown={list.items.length}
          noun={['delivery', 'deliveries']}
          hasMore={deliveries.hasNextPage}
          loadingMore={deliveries.isFetchingNextPage}
          onLoadMore={() => void deliveries.fetchNextPage()}
        />
      ) : null}
    </Stack>
  );
}

interface RowProps {
  channel: Channel;
  onEdit: () => void;
  onDelete: () => void;
}

function ChannelRow({ channel, onEdit, onDelete }: RowProps) {
  const [logOpen, setLogOpen] = useState(false);
  const kind = channel.settings.kind;
  return (
    <Card withBorder radius="md" padding="md" data-testid="channel-row" data-kind={kind}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
            <Group gap="xs" wrap="wrap">
              <Title order={3} fz="h5" style={{ overflowWrap: 'anywhere' }}>
                {channel.name}
              </Title>
              <Badge variant="light" leftSection={KIND_ICON[kind]}>
                {kindLabel(kind)}
              </Badge>
              <Badge variant="light" color={channel.enabled ? 'green' : 'gray'}>
                {channel.enabled ? 'Enabled' : 'Disabled'}
              </Badge>
              {channel.has_secret ? (
                <Badge variant="outline" color="gray">
                  {kind === 'webhook' ? 'Signed' : kind === 'email' ? 'Password set' : 'Token set'}
                </Badge>
              ) : null}
            </Group>
            <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
              {channelTarget(channel)}
            </Text>
            <Text size="sm" c="dimmed">
              {routingSummary(channel)}
            </Text>
          </Stack>
          <Group gap="xs">
            <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} onClick={onEdit} aria-label={`Edit ${channel.name}`}>
              Edit
            </Button>
            <Button size="xs" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={onDelete} aria-label={`Delete ${channel.name}`}>
              Delete
            </Button>
          </Group>
        </Group>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <TestButton channel={channel} />
          <Button
            size="xs"
            variant="subtle"
            leftSection={<IconListDetails size={14} />}
            onClick={() => setLogOpen((o) => !o)}
            aria-expanded={logOpen}
          >
            {logOpen ? 'Hide the delivery log' : 'Delivery log'}
          </Button>
        </Group>
        <Collapse expanded={logOpen}>{logOpen ? <ChannelDeliveries channelId={channel.id} /> : null}</Collapse>
      </Stack>
    </Card>
  );
}

/** The webhook's signing secret, this once, with how a receiver checks it. */
function SecretModal({ saved, onClose }: { saved: ChannelSaved | null; onClose: () => void }) {
  return (
    <Modal opened={saved?.secret !== undefined} onClose={onClose} title="The webhook's signing secret" size="lg">
      {saved?.secret ? (
        <Stack gap="sm">
          <Alert color="yellow" variant="light" title="Copy it now: it is not shown again">
            Keep it in the receiver of “{saved.channel.name}”. Cairn signs each request with it; only a rotation makes a new one.
          </Alert>
          <CopyField label="Signing secret" value={saved.secret} testId="channel-secret" />
          <Text size="sm">
            To verify a request, read <Code>t</Code> and <Code>v1</Code> from its <Code>X-Cairn-Signature</Code> header, compute the HMAC-SHA256
            of <Code>{'"<t>.<body>"'}</Code> keyed with this secret, compare it with <Code>v1</Code> and check that <Code>t</Code> is recent. See
            docs/alerts.md#webhooks-and-their-signature for an example.
          </Text>
          <Group justify="flex-end">
            <Button onClick={onClose}>I have copied it</Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}

type Editing = { mode: 'add' } | { mode: 'edit'; channel: Channel } | null;

export function AlertChannelsPage() {
  const channels = useChannels();
  const remove = useDeleteChannel();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Channel | null>(null);
  const [saved, setSaved] = useState<ChannelSaved | null>(null);
  // The form is long: on a phone it takes the whole screen rather than a cramped dialog.
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const add = (
    <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing({ mode: 'add' })} data-testid="channel-add">
      Add channel
    </Button>
  );

  return (
    <Stack gap="md" data-testid="channels-page">
      <Breadcrumbs>
        <Anchor component={Link} to={paths.alerts()} size="sm">
          Alerts
        </Anchor>
        <Text size="sm">Notification channels</Text>
      </Breadcrumbs>
      <PageHeader
        mb={0}
        title="Notification channels"
        description="Where Cairn tells people about alerts: email, ntfy or a webhook. Each channel picks which alerts it carries."
        actions={channels.data && channels.data.length > 0 ? add : undefined}
      />
      <ErrorAlert error={channels.error} title="Could not load the channels" />
      {channels.isPending ? <TableSkeleton label="Loading the channels" /> : null}
      {channels.data?.length === 0 ? (
        <ListEmptyState
          testId="channels-empty"
          icon={<IconBell size={28} />}
          things="channels"
          description="No channels yet: alerts are only shown in Cairn. Add an email, ntfy or webhook channel to be told."
          action={add}
        />
      ) : null}
      {channels.data?.map((c) => (
        <ChannelRow key={c.id} channel={c} onEdit={() => setEditing({ mode: 'edit', channel: c })} onDelete={() => setDeleting(c)} />
      ))}

      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.mode === 'edit' ? `Edit ${editing.channel.name}` : 'Add a channel'}
        size="lg"
        fullScreen={phone}
      >
        {editing ? (
          <ChannelForm
            key={editing.mode === 'edit' ? editing.channel.id : 'new'}
            channel={editing.mode === 'edit' ? editing.channel : undefined}
            onCancel={() => setEditing(null)}
            onSaved={(answer) => {
              setEditing(null);
              if (answer.secret) setSaved(answer);
            }}
          />
        ) : null}
      </Modal>

      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title="Delete the channel?">
        {deleting ? (
          <ConfirmDeleteForm
            name={deleting.name}
            confirmLabel="Delete channel"
            onConfirm={() => remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
            onCancel={() => setDeleting(null)}
            pending={remove.isPending}
            error={remove.error}
            errorTitle="Could not delete the channel"
          >
            <Text size="sm">Alerts stop going to “{deleting.name}”. Its delivery log is kept under the alerts, without the channel&apos;s name.</Text>
          </ConfirmDeleteForm>
        ) : null}
      </Modal>

      <SecretModal saved={saved} onClose={() => setSaved(null)} />
    </Stack>
  );
}

// "Test all hosts": queues a test command for every host (or every host with the tag the list
// is filtered by) and says in a notification how many were sent.
import { Button } from '@mantine/core';
import { IconPlugConnected } from '@tabler/icons-react';
import { notifyError, notifyInfo, notifySuccess } from '@/lib/notify';
import { usePingHosts } from '../api';

export function pingedMessage(queued: number, tag: string | null): string {
  const hosts = queued === 1 ? '1 host' : `${queued} hosts`;
  const scope = tag ? ` tagged “${tag}”` : '';
  return `Sent a test to ${hosts}${scope}. Each agent picks it up at its next poll; offline hosts get it when they reconnect.`;
}

export function PingAllButton({ tag }: { tag: string | null }) {
  const ping = usePingHosts();
  const send = () =>
    ping.mutate(tag, {
      onSuccess: ({ queued }) => {
        if (queued === 0) notifyInfo(tag ? `No host has the tag “${tag}”.` : 'There are no hosts yet.', 'Nothing to test');
        else notifySuccess(pingedMessage(queued, tag), 'Connection test sent');
      },
      onError: (e) => notifyError('Could not send the connection test', e),
    });
  return (
    <Button variant="default" leftSection={<IconPlugConnected size={18} />} loading={ping.isPending} onClick={send}>
      {tag ? `Test hosts tagged ${tag}` : 'Test all hosts'}
    </Button>
  );
}

// The server's self-signed certificate, as the agent will pin it: the SHA256 form to compare
// with the `--pin` in the commands, and the hex form for a browser's certificate viewer.
import { Badge, Card, Group, Stack, Text } from '@mantine/core';
import { IconShieldLock } from '@tabler/icons-react';
import { Fragment } from 'react';
import { Fingerprint } from './Fingerprint';

export function ServerCertificate({ fingerprint, hex }: { fingerprint: string; hex?: string }) {
  return (
    <Card withBorder radius="md" padding="md" data-testid="server-certificate">
      <Stack gap="xs">
        <Group gap="xs" wrap="nowrap">
          <IconShieldLock size={20} aria-hidden />
          <Text fw={650}>Server certificate</Text>
          <Badge variant="light" color="gray" tt="none">
            self-signed
          </Badge>
        </Group>
        <Text size="sm" c="dimmed">
          The agent will only trust this certificate (
          <Text span inherit ff="monospace" style={{ whiteSpace: 'nowrap' }}>
            --pin
          </Text>
          ).
        </Text>
        <Fingerprint value={fingerprint} large label="certificate fingerprint" testId="server-fingerprint" />
        {hex ? (
          <div>
            <Text size="xs" c="dimmed">
              The same SHA-256 in hex, as a browser’s certificate viewer shows it:
            </Text>
            <Text size="xs" ff="monospace" data-testid="server-fingerprint-hex">
              {/* Lines may break after a colon, never inside a byte. */}
              {hex.split(':').map((byte, i) => (
                <Fragment key={i}>
                  {i > 0 ? ':' : null}
                  {i > 0 ? <wbr /> : null}
                  {byte}
                </Fragment>
              ))}
            </Text>
          </div>
        ) : null}
      </Stack>
    </Card>
  );
}

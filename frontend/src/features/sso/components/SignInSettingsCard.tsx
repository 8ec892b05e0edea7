// The password sign-in switch at the top of the single sign-on page: turning it off asks first
// (who keeps a password, open sessions stay); the configuration file may lock it off.
import { Alert, Card, Code, Group, List, Modal, Skeleton, Stack, Switch, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import type { SignInSettings } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { useSignInSettings, useUpdateSignInSettings } from '../api';

function effect(s: SignInSettings): string {
  if (s.local_login) return 'On: people may sign in with a username and password, as well as through the providers below.';
  return s.break_glass_users.length > 0
    ? 'Off: people sign in through the providers below; only the break-glass users keep a password.'
    : 'Off: people sign in only through the providers below.';
}

export function SignInSettingsCard() {
  const settings = useSignInSettings();
  const update = useUpdateSignInSettings();
  const [confirming, setConfirming] = useState(false);
  const data = settings.data;
  const forced = data?.forced_off_by_config ?? false;

  const change = (on: boolean) => {
    update.reset();
    if (on) update.mutate({ local_login: true });
    else setConfirming(true);
  };
  const closeConfirm = () => setConfirming(false);

  return (
    <Card withBorder radius="md" padding="md" data-testid="sign-in-settings">
      <Stack gap="sm">
        <Title order={2} fz="h4">
          Password sign-in
        </Title>
        <ErrorAlert error={settings.error} title="Could not load the password sign-in setting" />
        {settings.isPending ? <Skeleton height={40} aria-label="Loading the password sign-in setting" /> : null}
        {data ? (
          <Switch
            label="Password sign-in"
            description={forced ? 'Off: people sign in only through the providers below.' : effect(data)}
            checked={data.local_login && !forced}
            disabled={forced || update.isPending}
            onChange={(e) => change(e.currentTarget.checked)}
            data-testid="local-login-switch"
          />
        ) : null}
        {forced ? (
          <Group gap={6} wrap="nowrap" align="flex-start" data-testid="local-login-forced">
            <IconLock size={16} style={{ flexShrink: 0, marginTop: 2 }} aria-hidden />
            <Text size="sm" c="dimmed">
              The configuration file turns password sign-in off (<Code>auth.local_login = false</Code>)
            </Text>
          </Group>
        ) : null}
        {update.error ? (
          <div data-testid="local-login-error">
            <ErrorAlert error={update.error} title="Could not change password sign-in" />
          </div>
        ) : null}
      </Stack>

      <Modal opened={confirming} onClose={closeConfirm} title="Turn password sign-in off?">
        {data ? (
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              update.mutate({ local_login: false }, { onSettled: closeConfirm });
            }}
          >
            <Stack gap="sm" data-testid="local-login-confirm">
              <Text size="sm">People will sign in only through the single sign-on providers on this page.</Text>
              {data.break_glass_users.length > 0 ? (
                <div>
                  <Text size="sm">These break-glass users keep their password:</Text>
                  <List size="sm" mt={4} data-testid="local-login-break-glass">
                    {data.break_glass_users.map((u) => (
                      <List.Item key={u}>
                        <Code>{u}</Code>
                      </List.Item>
                    ))}
                  </List>
                </div>
              ) : (
                <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="local-login-no-break-glass">
                  <Text size="sm">
                    No break-glass user is configured (<Code>auth.break_glass_users</Code>): if the provider is down, only{' '}
                    <Code>cairn-server admin local-login on</Code> on the server lets anyone in
                  </Text>
                </Alert>
              )}
              <Text size="sm">Sessions already open keep working.</Text>
              <FormActions submitLabel="Turn password sign-in off" onCancel={closeConfirm} loading={update.isPending} color="red" />
            </Stack>
          </form>
        ) : null}
      </Modal>
    </Card>
  );
}

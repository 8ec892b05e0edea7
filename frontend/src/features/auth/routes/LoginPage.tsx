// /login: the sign-in page: the password form and/or a button per single sign-on provider; after a
// password sign-in goes to `?next=` (same-site paths only) or home, providers land there too.
import { Alert, Anchor, Button, Divider, Stack, Text } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { AuthCard } from '@/components/AuthCard';
import { safeNext, useServerInfo } from '@/lib/auth';
import { LoginForm } from '../components/LoginForm';
import { SsoButtons, SsoError } from '../components/SsoSignIn';

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const info = useServerInfo();
  const next = safeNext(params.get('next'));
  const ssoError = params.get('sso_error');
  const providers = info.data?.sso_providers ?? [];
  const local = info.data?.local_login_enabled ?? true;
  // Password sign-in is off but a break-glass admin keeps one: a discreet way to the form.
  const [breakGlass, setBreakGlass] = useState(false);
  const signedOutOf = providers.find((p) => p.id === params.get('signed_out'));

  return (
    <AuthCard title="Sign in" subtitle="Manage your restic backups from one place.">
      <Stack gap="md">
        {ssoError ? <SsoError code={ssoError} message={params.get('sso_message')} /> : null}
        {signedOutOf ? (
          <Alert color="blue" variant="light" data-testid="signed-out">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">You are signed out of Cairn. You may still be signed in at {signedOutOf.label}.</Text>
              <Button
                component="a"
                href={`/api/v1/auth/oidc/${encodeURIComponent(signedOutOf.slug)}/logout`}
                size="xs"
                variant="light"
                leftSection={<IconLogout size={14} />}
                data-testid="sso-logout"
              >
                Also sign out of {signedOutOf.label}
              </Button>
            </Stack>
          </Alert>
        ) : null}
        {local || breakGlass ? <LoginForm onSuccess={() => void navigate(next, { replace: true })} /> : null}
        {local && providers.length > 0 ? <Divider label="or" labelPosition="center" /> : null}
        {providers.length > 0 ? <SsoButtons providers={providers} next={next} /> : null}
        {!local ? (
          <Text size="sm" c="dimmed" data-testid="local-login-off">
            {providers.length > 0
              ? 'Password sign-in is turned off on this server: use your organization’s account.'
              : 'Password sign-in is turned off on this server.'}
          </Text>
        ) : null}
        {!local && !breakGlass && info.data?.break_glass_login ? (
          <Anchor component="button" type="button" size="xs" c="dimmed" onClick={() => setBreakGlass(true)} data-testid="break-glass">
            Administrator sign-in with a password
          </Anchor>
        ) : null}
      </Stack>
    </AuthCard>
  );
}

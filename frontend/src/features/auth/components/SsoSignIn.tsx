// The single sign-on part of the sign-in page: why the last attempt failed (`sso_error` in the URL)
// and a "Sign in with …" link per provider (a full page load through the server to the provider).
import { Alert, Button, Stack } from '@mantine/core';
import { IconAlertTriangle, IconLogin2 } from '@tabler/icons-react';
import type { SsoButton } from '@/api/types';
import { ssoStartHref } from '@/lib/auth';

const FALLBACK: Record<string, string> = {
  'auth.sso_failed': 'Single sign-on did not work. Try again, or ask an administrator to check the provider.',
  'auth.sso_state': 'That sign-in was already used or took too long. Sign in again.',
  'auth.sso_no_role': 'Your account at the provider is in no group that has access to Cairn. Ask an administrator.',
  'auth.user_disabled': 'Your Cairn account is disabled. Ask an administrator.',
};

/** The sentence for a failed single sign-on: the server's own, else one for its code. */
export function ssoErrorText(code: string, message: string | null): string {
  if (message?.trim()) return message.trim();
  return FALLBACK[code] ?? 'Single sign-on did not work. Try again.';
}

export function SsoError({ code, message }: { code: string; message: string | null }) {
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" title="Could not sign you in" data-testid="sso-error">
      {ssoErrorText(code, message)}
    </Alert>
  );
}

export function SsoButtons({ providers, next }: { providers: readonly SsoButton[]; next: string }) {
  return (
    <Stack gap="xs">
      {providers.map((p) => (
        <Button
          key={p.slug}
          component="a"
          href={ssoStartHref(p.slug, next)}
          variant="default"
          fullWidth
          leftSection={<IconLogin2 size={18} />}
          data-testid={`sso-button-${p.slug}`}
          styles={{ root: { height: 'auto', minHeight: 36, paddingBlock: 6 }, label: { whiteSpace: 'normal', overflowWrap: 'anywhere', lineHeight: 1.3 } }}
        >
          Sign in with {p.label}
        </Button>
      ))}
    </Stack>
  );
}

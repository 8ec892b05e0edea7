// /profile: your access, your details, your password and your API tokens.
import { Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { PageHeader } from '@/components/PageHeader';
import { RoleBadge } from '@/components/RoleBadge';
import { SsoBadge } from '@/components/SsoBadge';
import { highestRole, useSession } from '@/lib/auth';
import { AccessSummary } from '../components/AccessSummary';
import { ChangePasswordForm } from '../components/ChangePasswordForm';
import { ProfileForm } from '../components/ProfileForm';
import { TokensSection } from '../components/TokensSection';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder radius="md" p={{ base: 'md', sm: 'lg' }} component="section" aria-label={title}>
      <Title order={3} fz="h4" mb="md">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

export function ProfilePage() {
  const me = useSession();
  return (
    <Stack gap="lg">
      <PageHeader
        mb={0}
        title="Profile"
        description={
          <>
            Signed in as <b>{me.user.username}</b> <RoleBadge role={me.user.role} size="sm" ml={4} /> <SsoBadge user={me.user} size="sm" ml={4} />
          </>
        }
      />
      <Section title="Your access">
        <AccessSummary me={me} />
      </Section>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Section title="Your details">
          <ProfileForm me={me} />
        </Section>
        <Section title="Password">
          {me.user.sso_provider_id ? (
            // Their password lives at the identity provider: nothing to change here.
            <Text size="sm" c="dimmed" data-testid="sso-password-note">
              You sign in through single sign-on: your password is managed by your organization’s identity provider.
            </Text>
          ) : (
            <ChangePasswordForm />
          )}
        </Section>
      </SimpleGrid>
      <Section title="API tokens">
        {/* A token's role may reach the strongest of the user's roles, host roles included. */}
        <TokensSection ownRole={highestRole(me)} />
      </Section>
    </Stack>
  );
}

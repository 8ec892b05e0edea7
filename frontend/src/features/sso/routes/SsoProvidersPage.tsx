// /users/sso (admins): the password sign-in switch, then the single sign-on providers (OpenID Connect):
// add, edit, delete (not those from the configuration file); each shows its redirect URI to register.
import { Anchor, Badge, Breadcrumbs, Button, Card, Group, Modal, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconFileSettings, IconKey, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useRef, useState } from 'react';
import { Link } from 'react-router';
import type { SsoProvider } from '@/api/types';
import { CopyIconButton } from '@/components/CopyIconButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FormActions } from '@/components/FormActions';
import { ListEmptyState } from '@/components/ListEmptyState';
import { PageHeader } from '@/components/PageHeader';
import { TableSkeleton } from '@/components/TableSkeleton';
import { paths } from '@/lib/paths';
import { useDeleteSsoProvider, useSsoProviders } from '../api';
import { ProviderForm } from '../components/ProviderForm';
import { SignInSettingsCard } from '../components/SignInSettingsCard';
import { roleMapSummary } from '../providers';

const REGISTER = 'Register this redirect URI at your provider.';
const FROM_CONFIG = "Change it in the server's configuration file and restart.";

/** The callback URL to register at the provider, as text (it wraps on a phone) with a copy button. */
function RedirectUri({ uri, size }: { uri: string; size: 'xs' | 'sm' }) {
  const text = useRef<HTMLParagraphElement>(null);
  return (
    <Group gap={6} wrap="nowrap" align="center">
      <Text size={size} c="dimmed" style={{ flexShrink: 0 }}>
        Redirect URI
      </Text>
      <Text ref={text} size={size} ff="monospace" data-testid="sso-redirect-uri" style={{ overflowWrap: 'anywhere', minWidth: 0 }}>
        {uri}
      </Text>
      <CopyIconButton value={uri} label="the redirect URI" selectTarget={text} size="sm" style={{ flexShrink: 0 }} />
    </Group>
  );
}

interface RowProps {
  provider: SsoProvider;
  onEdit: () => void;
  onDelete: () => void;
}

function ProviderRow({ provider: p, onEdit, onDelete }: RowProps) {
  return (
    <Card withBorder radius="md" padding="md" data-testid="sso-provider-row" data-slug={p.slug}>
      <Group justify="space-between" align="flex-start" gap="sm">
        <Stack gap={4} style={{ minWidth: 0, flex: '1 1 260px' }}>
          <Group gap="xs" wrap="wrap">
            <Title order={3} fz="h5" style={{ overflowWrap: 'anywhere' }}>
              {p.label}
            </Title>
            <Badge variant="outline" color="gray" style={{ textTransform: 'none' }}>
              {p.slug}
            </Badge>
            <Badge variant="light" color={p.enabled ? 'green' : 'gray'}>
              {p.enabled ? 'Enabled' : 'Disabled'}
            </Badge>
            {p.from_config ? (
              <Tooltip label={FROM_CONFIG} withArrow multiline maw={260} events={{ hover: true, focus: true, touch: true }}>
                <Badge
                  variant="light"
                  color="blue"
                  leftSection={<IconFileSettings size={12} />}
                  style={{ textTransform: 'none' }}
                  tabIndex={0}
                  aria-describedby={`sso-from-config-${p.id}`}
                  data-testid="sso-from-config"
                >
                  From the configuration file
                </Badge>
              </Tooltip>
            ) : null}
          </Group>
          <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {p.issuer}
          </Text>
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }} data-testid="sso-role-summary">
            {roleMapSummary(p)}
          </Text>
          <RedirectUri uri={p.redirect_uri} size="xs" />
          <Text size="xs" c="dimmed">
            {REGISTER}
          </Text>
          {p.from_config ? (
            <Text size="xs" c="dimmed" id={`sso-from-config-${p.id}`} data-testid="sso-from-config-note">
              Read-only. {FROM_CONFIG}
            </Text>
          ) : null}
        </Stack>
        {p.from_config ? null : (
          <Group gap="xs">
            <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} onClick={onEdit} aria-label={`Edit ${p.label}`}>
              Edit
            </Button>
            <Button
              size="xs"
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={14} />}
              onClick={onDelete}
              aria-label={`Delete ${p.label}`}
              data-testid="sso-delete"
            >
              Delete
            </Button>
          </Group>
        )}
      </Group>
    </Card>
  );
}

type Editing = { mode: 'add' } | { mode: 'edit'; provider: SsoProvider } | null;

export function SsoProvidersPage() {
  const providers = useSsoProviders();
  const remove = useDeleteSsoProvider();
  const [editing, setEditing] = useState<Editing>(null);
  const [saved, setSaved] = useState<SsoProvider | null>(null);
  const [deleting, setDeleting] = useState<SsoProvider | null>(null);
  // The form is long: on a phone it takes the whole screen.
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const add = (
    <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing({ mode: 'add' })} data-testid="sso-add">
      Add provider
    </Button>
  );
  const closeDelete = () => {
    setDeleting(null);
    remove.reset();
  };

  return (
    <Stack gap="md" data-testid="sso-providers-page">
      <Breadcrumbs>
        <Anchor component={Link} to={paths.users()} size="sm">
          Users
        </Anchor>
        <Text size="sm">Single sign-on</Text>
      </Breadcrumbs>
      <PageHeader
        mb={0}
        title="Single sign-on"
        description="Let people sign in with their organization's account (OpenID Connect); their groups decide their role."
        actions={providers.data && providers.data.length > 0 ? add : undefined}
      />
      <SignInSettingsCard />
      <ErrorAlert error={providers.error} title="Could not load the providers" />
      {providers.isPending ? <TableSkeleton label="Loading the providers" /> : null}
      {providers.data?.length === 0 ? (
        <ListEmptyState
          testId="sso-empty"
          icon={<IconKey size={28} />}
          things="providers"
          description="Add your identity provider: Keycloak, Authentik, Entra ID, Google… Its users then sign in with a button on the sign-in page."
          action={add}
        />
      ) : null}
      {providers.data?.map((p) => (
        <ProviderRow key={p.id} provider={p} onEdit={() => setEditing({ mode: 'edit', provider: p })} onDelete={() => setDeleting(p)} />
      ))}

      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.mode === 'edit' ? `Edit ${editing.provider.label}` : 'Add a provider'}
        size="lg"
        fullScreen={phone}
      >
        {editing ? (
          <ProviderForm
            key={editing.mode === 'edit' ? editing.provider.id : 'new'}
            provider={editing.mode === 'edit' ? editing.provider : undefined}
            onCancel={() => setEditing(null)}
            onSaved={(p) => {
              setEditing(null);
              setSaved(p);
            }}
          />
        ) : null}
      </Modal>

      <Modal opened={saved !== null} onClose={() => setSaved(null)} title={saved ? `${saved.label} is saved` : ''} size="lg">
        {saved ? (
          <Stack gap="sm" data-testid="sso-saved">
            <Text size="sm">{REGISTER}</Text>
            <Paper withBorder radius="sm" p="sm">
              <RedirectUri uri={saved.redirect_uri} size="sm" />
            </Paper>
            <Text size="sm" c="dimmed">
              Its users sign in with the “Sign in with {saved.label}” button{saved.enabled ? '' : ' once you enable it'}.
            </Text>
            <Group justify="flex-end">
              <Button onClick={() => setSaved(null)} data-autofocus>
                Done
              </Button>
            </Group>
          </Stack>
        ) : null}
      </Modal>

      <Modal opened={deleting !== null} onClose={closeDelete} title="Delete the provider?">
        {deleting ? (
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              remove.mutate(deleting.id, { onSuccess: closeDelete });
            }}
          >
            <Stack gap="sm">
              <Text size="sm">
                “{deleting.label}” disappears from the sign-in page. Its users stay, but can no longer sign in through it.
              </Text>
              <ErrorAlert error={remove.error} title="Could not delete the provider" />
              <FormActions submitLabel="Delete provider" onCancel={closeDelete} loading={remove.isPending} color="red" />
            </Stack>
          </form>
        ) : null}
      </Modal>
    </Stack>
  );
}

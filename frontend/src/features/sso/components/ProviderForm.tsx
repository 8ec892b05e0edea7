// Add or edit one single sign-on provider: where it is, the client (its secret write-only: empty
// keeps it), the claims, group → role mappings (optionally on tagged hosts only); a refusal
// naming a field lands on that field. `none` is never offered: a mapping must give a role.
import { ActionIcon, Button, Divider, Group, PasswordInput, Select, SimpleGrid, Stack, Switch, TagsInput, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage, inputFor } from '@/api/errors';
import { ROLES, type SsoProvider } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { roleLabel } from '@/lib/format';
import { useSaveSsoProvider } from '../api';
import { REFUSE, SLUG_PATTERN, SSO_INPUTS, emptySsoValues, mappingTagsRule, slugFrom, ssoRequest, ssoValues, type SsoFormValues } from '../providers';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: roleLabel(r) }));
const DEFAULT_ROLE_OPTIONS = [{ value: REFUSE, label: 'Refuse users in no mapped group' }, ...ROLE_OPTIONS];

interface Props {
  /** The provider to edit; absent to add one. */
  provider?: SsoProvider;
  onSaved: (saved: SsoProvider) => void;
  onCancel: () => void;
}

export function ProviderForm({ provider, onSaved, onCancel }: Props) {
  const editing = provider !== undefined;
  const save = useSaveSsoProvider(provider?.id ?? null);
  // The slug follows the label until it is typed in (new providers only).
  const [slugTyped, setSlugTyped] = useState(editing);
  const form = useForm<SsoFormValues>({
    initialValues: provider ? ssoValues(provider) : emptySsoValues(),
    validate: {
      label: (v) => (v.trim() ? null : 'Give the button a label'),
      slug: (v) => (SLUG_PATTERN.test(v.trim()) ? null : 'a-z, 0-9 and "-" (not first), up to 64'),
      issuer: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? null : 'The issuer URL, e.g. https://login.example.com/realms/main'),
      clientId: (v) => (v.trim() ? null : 'The client id is required'),
      clientSecret: (v) => (!editing && v === '' ? 'The client secret is required' : null),
      usernameClaim: (v) => (v.trim() ? null : 'A claim name is required'),
      groupsClaim: (v) => (v.trim() ? null : 'A claim name is required'),
      roleMap: {
        group: (v) => (v.trim() ? null : 'Name the group'),
        // The row's role decides whether tags are allowed (admin is never host-scoped).
        tags: (v, values, path) => mappingTagsRule(values.roleMap[Number(path.split('.')[1])]?.role ?? 'viewer', v),
      },
    },
  });
  const onField = inputFor(save.error, SSO_INPUTS) !== undefined;
  const labelProps = form.getInputProps('label');

  return (
    <form
      noValidate
      data-testid="sso-form"
      onSubmit={form.onSubmit((values) =>
        save.mutate(ssoRequest(values), {
          onSuccess: onSaved,
          onError: (error) => {
            const input = inputFor(error, SSO_INPUTS);
            if (input) form.setFieldError(input, errorMessage(error));
          },
        }),
      )}
    >
      <Stack gap="sm">
        {save.error && !onField ? <ErrorAlert error={save.error} title="Could not save the provider" /> : null}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label="Label"
            description={'The button says "Sign in with {label}".'}
            placeholder="Keycloak"
            required
            data-autofocus
            data-testid="sso-field-label"
            {...labelProps}
            onChange={(e) => {
              const label = e.currentTarget.value;
              form.setFieldValue('label', label);
              if (!slugTyped) form.setFieldValue('slug', slugFrom(label));
            }}
          />
          <TextInput
            label="Short name"
            description="In its URLs: a-z, 0-9 and -."
            placeholder="keycloak"
            required
            autoCapitalize="none"
            spellCheck={false}
            data-testid="sso-field-slug"
            {...form.getInputProps('slug')}
            onChange={(e) => {
              setSlugTyped(true);
              form.setFieldValue('slug', e.currentTarget.value);
            }}
          />
        </SimpleGrid>
        <TextInput
          label="Issuer URL"
          description="The provider's OpenID Connect issuer; Cairn reads its /.well-known/openid-configuration."
          placeholder="https://login.example.com/realms/main"
          required
          type="url"
          autoCapitalize="none"
          spellCheck={false}
          data-testid="sso-field-issuer"
          {...form.getInputProps('issuer')}
        />
        <TextInput
          label="Client id"
          required
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          data-testid="sso-field-client-id"
          {...form.getInputProps('clientId')}
        />
        <PasswordInput
          label="Client secret"
          description="Write-only: Cairn never shows it again."
          required={!editing}
          placeholder={editing ? 'Leave empty to keep the stored secret' : undefined}
          autoComplete="new-password"
          data-testid="sso-field-client-secret"
          {...form.getInputProps('clientSecret')}
        />
        <TagsInput
          label="Scopes"
          description="Press Enter, a comma or a space after each."
          splitChars={[',', ' ']}
          clearable
          data-testid="sso-field-scopes"
          {...form.getInputProps('scopes')}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label="Username claim"
            description="A new user's username comes from it."
            autoCapitalize="none"
            spellCheck={false}
            {...form.getInputProps('usernameClaim')}
          />
          <TextInput
            label="Groups claim"
            description="The ID token claim listing the user's groups."
            autoCapitalize="none"
            spellCheck={false}
            {...form.getInputProps('groupsClaim')}
          />
        </SimpleGrid>

        <Divider label="Roles" labelPosition="left" />
        <Text size="sm" c="dimmed">
          Members of a group get its role (the highest one when in several), on every sign-in.
        </Text>
        {form.values.roleMap.map((_, i) => (
          <Stack key={i} gap={6} data-testid={`sso-mapping-${i}`}>
            <Group gap="xs" align="flex-start" wrap="nowrap">
              <TextInput
                aria-label={`Group ${i + 1}`}
                placeholder="Group name"
                style={{ flex: 1, minWidth: 0 }}
                autoCapitalize="none"
                spellCheck={false}
                data-testid={`sso-mapping-group-${i}`}
                {...form.getInputProps(`roleMap.${i}.group`)}
              />
              <Select
                aria-label={`Role for group ${i + 1}`}
                data={ROLE_OPTIONS}
                allowDeselect={false}
                w={130}
                style={{ flexShrink: 0 }}
                data-testid={`sso-mapping-role-${i}`}
                {...form.getInputProps(`roleMap.${i}.role`)}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                size="lg"
                mt={1}
                aria-label={`Remove mapping ${i + 1}`}
                onClick={() => form.removeListItem('roleMap', i)}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
            <TagsInput
              aria-label={`Host tags for group ${i + 1}`}
              placeholder="All hosts"
              description="Leave empty for a role over all hosts; with tags the role (viewer or operator) covers only hosts carrying one of them"
              splitChars={[',', ' ']}
              data-testid={`sso-mapping-tags-${i}`}
              {...form.getInputProps(`roleMap.${i}.tags`)}
            />
          </Stack>
        ))}
        {typeof form.errors.roleMap === 'string' ? (
          <Text size="sm" c="red" role="alert">
            {form.errors.roleMap}
          </Text>
        ) : null}
        <Group>
          <Button
            variant="default"
            size="xs"
            leftSection={<IconPlus size={14} />}
            onClick={() => form.insertListItem('roleMap', { group: '', role: 'viewer', tags: [] })}
            data-testid="sso-add-mapping"
          >
            Add mapping
          </Button>
        </Group>
        <Select
          label="Users in no mapped group"
          data={DEFAULT_ROLE_OPTIONS}
          allowDeselect={false}
          data-testid="sso-field-default-role"
          {...form.getInputProps('defaultRole')}
        />
        <Switch
          label="Link to an existing local user with the same verified email"
          description="Their first sign-in takes over that account instead of making a new one."
          {...form.getInputProps('linkByEmail', { type: 'checkbox' })}
        />
        <Switch label="Enabled" description="Shows its button on the sign-in page." {...form.getInputProps('enabled', { type: 'checkbox' })} />
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} data-testid="sso-save">
            {editing ? 'Save' : 'Add provider'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

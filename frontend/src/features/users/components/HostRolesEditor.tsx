// "Host roles" editor of the user forms: one row per host-scoped binding (viewer or operator
// on the hosts carrying any of some tags). Rows wrap on a phone; a server refusal shows below.
import { ActionIcon, Button, Fieldset, Group, Input, NativeSelect, Stack, TagsInput, Text } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { BINDING_ROLES, type HostRoleBinding, type Role } from '@/api/types';
import { roleLabel } from '@/lib/format';
import { bindingTagsRule, MAX_BINDINGS } from '@/lib/validation';

/** A row being edited; `key` keeps React's rows stable while rows above are removed. */
export interface BindingDraft {
  key: string;
  role: Role;
  tags: string[];
}

let nextKey = 0;
function draft(binding: HostRoleBinding = { role: 'viewer', tags: [] }): BindingDraft {
  nextKey += 1;
  return { key: `binding-${nextKey}`, role: binding.role, tags: [...binding.tags] };
}

export function toDrafts(bindings: readonly HostRoleBinding[]): BindingDraft[] {
  return bindings.map((b) => draft(b));
}

export function fromDrafts(drafts: readonly BindingDraft[]): HostRoleBinding[] {
  return drafts.map(({ role, tags }) => ({ role, tags }));
}

/** The form-level rule: one message for the editor; each bad row is marked on its tags. */
export function bindingsRule(drafts: readonly BindingDraft[]): string | null {
  if (drafts.length > MAX_BINDINGS) return `At most ${MAX_BINDINGS} host roles`;
  return drafts.some((d) => bindingTagsRule(d.tags)) ? 'Fix the host roles marked above.' : null;
}

const ROLE_OPTIONS = BINDING_ROLES.map((r) => ({ value: r, label: roleLabel(r) }));

interface Props {
  value: BindingDraft[];
  onChange: (next: BindingDraft[]) => void;
  /** A validation message or the server's refusal (`user.invalid_binding`). */
  error?: ReactNode;
  /** The user signs in through SSO: their groups set the host roles again at each sign-in. */
  sso?: boolean;
}

export function HostRolesEditor({ value, onChange, error, sso = false }: Props) {
  const update = (i: number, change: Partial<BindingDraft>) => onChange(value.map((d, j) => (j === i ? { ...d, ...change } : d)));
  // Rows are marked only once the form was checked, not while someone is still typing.
  const marked = !!error;
  return (
    <Fieldset legend="Host roles" variant="filled" p="sm" data-testid="user-bindings-editor">
      <Stack gap="sm">
        <Text size="xs" c="dimmed">
          A role on some hosts only, on top of the role above. Admin is always over all hosts.
        </Text>
        {sso ? (
          <Text size="xs" c="dimmed" data-testid="user-bindings-sso-note">
            This user signs in through single sign-on: their groups set the host roles again at each sign-in.
          </Text>
        ) : null}
        {value.map((d, i) => (
          <Group key={d.key} gap="xs" align="flex-end" wrap="wrap" data-testid={`user-binding-${i}`}>
            <NativeSelect
              label="Role"
              aria-label={`Host role ${i + 1}: role`}
              data={ROLE_OPTIONS}
              value={d.role}
              onChange={(e) => update(i, { role: e.currentTarget.value as Role })}
              w={130}
              data-testid={`user-binding-role-${i}`}
            />
            <TagsInput
              label="Tags"
              aria-label={`Host role ${i + 1}: tags`}
              description="On hosts with any of these tags"
              placeholder={d.tags.length ? undefined : 'e.g. web, prod'}
              value={d.tags}
              onChange={(tags) => update(i, { tags })}
              error={marked ? bindingTagsRule(d.tags) : null}
              splitChars={[',', ' ']}
              style={{ flex: '1 1 150px', minWidth: 0 }}
              data-testid={`user-binding-tags-${i}`}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              mb={marked && bindingTagsRule(d.tags) ? 22 : 1}
              aria-label="Remove host role"
              onClick={() => onChange(value.filter((_, j) => j !== i))}
              data-testid={`user-binding-remove-${i}`}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        ))}
        {error ? <Input.Error data-testid="user-bindings-error">{error}</Input.Error> : null}
        <Group>
          <Button
            variant="default"
            size="xs"
            leftSection={<IconPlus size={14} />}
            onClick={() => onChange([...value, draft()])}
            disabled={value.length >= MAX_BINDINGS}
            data-testid="user-add-binding"
          >
            Add host role
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}

// SSO providers, without React: form values from a provider and back to the request body (the
// client secret is write-only: empty keeps it), a slug from a label, and one-line summaries.
import type { Role, SsoProvider, SsoProviderRequest, SsoRoleMapping } from '@/api/types';
import { roleLabel } from '@/lib/format';
import { hostTagsRule } from '@/lib/validation';

export const DEFAULT_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'groups'];
export const DEFAULT_USERNAME_CLAIM = 'preferred_username';
export const DEFAULT_GROUPS_CLAIM = 'groups';
/** The default role choice meaning "no default_role": users in no mapped group are refused. */
export const REFUSE = 'refuse';

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface SsoFormValues {
  label: string;
  slug: string;
  issuer: string;
  clientId: string;
  /** Typed now; empty keeps the stored one on an edit. */
  clientSecret: string;
  scopes: string[];
  usernameClaim: string;
  groupsClaim: string;
  roleMap: SsoRoleMapping[];
  defaultRole: Role | typeof REFUSE;
  linkByEmail: boolean;
  enabled: boolean;
}

export function emptySsoValues(): SsoFormValues {
  return {
    label: '',
    slug: '',
    issuer: '',
    clientId: '',
    clientSecret: '',
    scopes: [...DEFAULT_SCOPES],
    usernameClaim: DEFAULT_USERNAME_CLAIM,
    groupsClaim: DEFAULT_GROUPS_CLAIM,
    roleMap: [],
    defaultRole: REFUSE,
    linkByEmail: false,
    enabled: true,
  };
}

export function ssoValues(p: SsoProvider): SsoFormValues {
  return {
    label: p.label,
    slug: p.slug,
    issuer: p.issuer,
    clientId: p.client_id,
    clientSecret: '',
    scopes: [...p.scopes],
    usernameClaim: p.username_claim,
    groupsClaim: p.groups_claim,
    roleMap: p.role_map.map((m) => ({ ...m, tags: [...(m.tags ?? [])] })),
    defaultRole: p.default_role ?? REFUSE,
    linkByEmail: p.link_by_email,
    enabled: p.enabled,
  };
}

/** The request body: every setting, `default_role` only when set, `client_secret` only when typed. */
export function ssoRequest(v: SsoFormValues): SsoProviderRequest {
  const body: SsoProviderRequest = {
    label: v.label.trim(),
    slug: v.slug.trim(),
    issuer: v.issuer.trim(),
    client_id: v.clientId.trim(),
    scopes: v.scopes.map((s) => s.trim()).filter(Boolean),
    username_claim: v.usernameClaim.trim(),
    groups_claim: v.groupsClaim.trim(),
    role_map: v.roleMap.map((m) => ({ group: m.group.trim(), role: m.role, tags: m.tags.map((t) => t.trim()).filter(Boolean) })),
    link_by_email: v.linkByEmail,
    enabled: v.enabled,
  };
  if (v.defaultRole !== REFUSE) body.default_role = v.defaultRole;
  if (v.clientSecret !== '') body.client_secret = v.clientSecret;
  return body;
}

/** "Keycloak (Main)" → "keycloak-main": a-z, 0-9 and '-', at most 64. */
export function slugFrom(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** The server's `details.field` → the form input it is about. */
export const SSO_INPUTS: Readonly<Record<string, keyof SsoFormValues>> = {
  slug: 'slug',
  label: 'label',
  issuer: 'issuer',
  client_id: 'clientId',
  client_secret: 'clientSecret',
  scopes: 'scopes',
  username_claim: 'usernameClaim',
  groups_claim: 'groupsClaim',
  role_map: 'roleMap',
  default_role: 'defaultRole',
};

/** A mapping's tags: none (a role over all hosts), or valid host tags for viewer/operator only. */
export function mappingTagsRule(role: Role, tags: readonly string[]): string | null {
  if (tags.length === 0) return null;
  if (role === 'admin') return 'Admin is always over all hosts: remove the tags or pick viewer or operator';
  return hostTagsRule(tags);
}

/** "admins → Admin · ops → Operator on web, eu · others: refused". */
export function roleMapSummary(p: Pick<SsoProvider, 'role_map' | 'default_role'>): string {
  const parts = p.role_map.map((m) => `${m.group} → ${roleLabel(m.role)}${m.tags?.length ? ` on ${m.tags.join(', ')}` : ''}`);
  parts.push(p.default_role ? `others: ${roleLabel(p.default_role)}` : parts.length ? 'others: refused' : 'no mappings: everyone is refused');
  return parts.join(' · ');
}

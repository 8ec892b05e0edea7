// Notification channels, without React: the form's values from a channel and back to the
// request body (write-only secrets: absent keeps, null removes), and the one-line summaries.
import type { AlertRuleName, AlertSeverity, Channel, ChannelKind, ChannelRequest, SmtpSecurity } from '@/api/types';
import { RULE_LABEL, SEVERITY_META } from '@/lib/alerts';

export const CHANNEL_KINDS: readonly { value: ChannelKind; label: string }[] = [
  { value: 'email', label: 'Email' },
  { value: 'ntfy', label: 'ntfy' },
  { value: 'webhook', label: 'Webhook' },
];

export const SMTP_SECURITY: readonly { value: SmtpSecurity; label: string }[] = [
  { value: 'starttls', label: 'STARTTLS (port 587)' },
  { value: 'tls', label: 'TLS (port 465)' },
  { value: 'none', label: 'None (trusted network only)' },
];

export const DEFAULT_NTFY_SERVER = 'https://ntfy.sh';

export interface ChannelFormValues {
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  host: string;
  port: number | string;
  security: SmtpSecurity;
  username: string;
  from: string;
  to: string[];
  caPem: string;
  serverUrl: string;
  topic: string;
  url: string;
  /** The SMTP password or ntfy token typed now; empty keeps the stored one on an edit. */
  secret: string;
  removeSecret: boolean;
  minSeverity: AlertSeverity;
  rules: AlertRuleName[];
  hostTag: string;
  quietOn: boolean;
  quietFrom: string;
  quietTo: string;
  quietZone: string;
}

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function emptyChannelValues(): ChannelFormValues {
  return {
    name: '',
    kind: 'email',
    enabled: true,
    host: '',
    port: 587,
    security: 'starttls',
    username: '',
    from: '',
    to: [],
    caPem: '',
    serverUrl: DEFAULT_NTFY_SERVER,
    topic: '',
    url: '',
    secret: '',
    removeSecret: false,
    minSeverity: 'warning',
    rules: [],
    hostTag: '',
    quietOn: false,
    quietFrom: '22:00',
    quietTo: '07:00',
    quietZone: browserZone(),
  };
}

export function channelValues(channel: Channel): ChannelFormValues {
  const base = emptyChannelValues();
  const s = channel.settings;
  const values: ChannelFormValues = {
    ...base,
    name: channel.name,
    kind: s.kind,
    enabled: channel.enabled,
    minSeverity: channel.min_severity,
    rules: [...channel.rules],
    hostTag: channel.host_tag ?? '',
    quietOn: Boolean(channel.quiet),
    quietFrom: channel.quiet?.from ?? base.quietFrom,
    quietTo: channel.quiet?.to ?? base.quietTo,
    quietZone: channel.quiet?.zone ?? base.quietZone,
  };
  if (s.kind === 'email') {
    Object.assign(values, { host: s.host, port: s.port, security: s.security, username: s.username ?? '', from: s.from, to: [...s.to], caPem: s.ca_pem ?? '' });
  } else if (s.kind === 'ntfy') {
    Object.assign(values, { serverUrl: s.server_url, topic: s.topic });
  } else {
    values.url = s.url;
  }
  return values;
}

/** The request body: PUT replaces the channel whole, so every field is sent except a kept secret. */
export function channelRequest(v: ChannelFormValues, editing: boolean, rotateSecret = false): ChannelRequest {
  const settings: ChannelRequest['settings'] =
    v.kind === 'email'
      ? {
          kind: 'email',
          host: v.host.trim(),
          port: Number(v.port),
          security: v.security,
          from: v.from.trim(),
          to: v.to.map((t) => t.trim()).filter(Boolean),
          ...(v.username.trim() ? { username: v.username.trim() } : {}),
          ...(v.caPem.trim() ? { ca_pem: v.caPem.trim() } : {}),
        }
      : v.kind === 'ntfy'
        ? { kind: 'ntfy', server_url: v.serverUrl.trim(), topic: v.topic.trim() }
        : { kind: 'webhook', url: v.url.trim() };
  const body: ChannelRequest = {
    name: v.name.trim(),
    enabled: v.enabled,
    settings,
    min_severity: v.minSeverity,
    rules: v.rules,
    rotate_secret: v.kind === 'webhook' && rotateSecret,
  };
  if (v.hostTag.trim()) body.host_tag = v.hostTag.trim();
  if (v.quietOn) body.quiet = { from: v.quietFrom, to: v.quietTo, zone: v.quietZone.trim() };
  // A webhook's secret is made by Cairn; for the others an empty box means "keep" on an edit.
  if (v.kind !== 'webhook') {
    if (editing && v.removeSecret) body.secret = null;
    else if (v.secret !== '') body.secret = v.secret;
  }
  return body;
}

/** The server's `details.field` → the form input it is about. */
export const CHANNEL_INPUTS: Readonly<Record<string, keyof ChannelFormValues>> = {
  name: 'name',
  secret: 'secret',
  min_severity: 'minSeverity',
  rules: 'rules',
  host_tag: 'hostTag',
  quiet: 'quietZone',
  'quiet.from': 'quietFrom',
  'quiet.to': 'quietTo',
  'quiet.zone': 'quietZone',
  'settings.host': 'host',
  'settings.port': 'port',
  'settings.security': 'security',
  'settings.username': 'username',
  'settings.from': 'from',
  'settings.to': 'to',
  'settings.ca_pem': 'caPem',
  'settings.server_url': 'serverUrl',
  'settings.topic': 'topic',
  'settings.url': 'url',
};

/** Where a channel sends: "smtp.example.org:587 → ops@example.org", "https://ntfy.sh/cairn", a URL. */
export function channelTarget(channel: Channel): string {
  const s = channel.settings;
  if (s.kind === 'email') return `${s.host}:${s.port} → ${s.to.join(', ')}`;
  if (s.kind === 'ntfy') return `${s.server_url.replace(/\/+$/, '')}/${s.topic}`;
  return s.url;
}

/** "error and worse · rules: all · tag: prod · quiet 22:00–07:00 Europe/Berlin". */
export function routingSummary(channel: Pick<Channel, 'min_severity' | 'rules' | 'host_tag' | 'quiet'>): string {
  const severity = SEVERITY_META[channel.min_severity].label.toLowerCase();
  const parts = [channel.min_severity === 'critical' ? 'critical only' : `${severity} and worse`];
  parts.push(`rules: ${channel.rules.length === 0 ? 'all' : channel.rules.map((r) => RULE_LABEL[r]).join(', ')}`);
  if (channel.host_tag) parts.push(`tag: ${channel.host_tag}`);
  if (channel.quiet) parts.push(`quiet ${channel.quiet.from}–${channel.quiet.to} ${channel.quiet.zone}`);
  return parts.join(' · ');
}

/** "Delivered in 312 ms (250)" or the failure in words. */
export function testResultText(r: { delivered: boolean; status?: number; error?: string; elapsed_ms: number }): string {
  const status = r.status === undefined ? '' : ` (${r.status})`;
  if (r.delivered) return `Delivered in ${r.elapsed_ms} ms${status}`;
  return `Not delivered${status}: ${r.error ?? 'no reason given'}`;
}

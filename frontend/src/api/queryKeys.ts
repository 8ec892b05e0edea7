// Every TanStack Query key of the app, built here and nowhere else. Keys are prefixes of each
// other on purpose: invalidating `keys.hosts.all` refreshes every hosts read (the home tiles and
// the repositories' linked hosts included), `keys.jobs.lists()` every job list (a host's recent
// jobs included), whichever feature made them. Keys of one resource shape carry its type
// (a TanStack `DataTag`), so `setQueryData`/`getQueryData` on them are checked.
import { partialMatchKey, type DataTag, type QueryKey } from '@tanstack/react-query';
import type {
  AlertDetail,
  AlertList,
  AlertRule,
  AlertSummary,
  BackupOption,
  Channel,
  CronPreview,
  Delivery,
  DrillScheduleAnswer,
  HistorySettings,
  Host,
  HostMute,
  HostStatus,
  Job,
  JobList,
  Me,
  Repository,
  RepositoryCopyList,
  ScheduleList,
  ServerInfo,
  SignInSettings,
  Snapshot,
  SsoProvider,
  SnapshotSearch,
} from './types';

/** Tags a key with the data cached under it. */
const typed =
  <TData>() =>
  <const K extends QueryKey>(key: K) =>
    key as DataTag<K, TData>;

const hostsRoot = ['hosts'] as const;
const jobsRoot = ['jobs'] as const;
const snapshotsRoot = ['snapshots'] as const;
const schedulesRoot = ['schedules'] as const;
const alertsRoot = ['alerts'] as const;

export const keys = {
  /** GET /v1/info: the server info (is setup needed?). */
  info: typed<ServerInfo>()(['server-info']),
  /** GET /v1/history-settings: how long history is kept. */
  historySettings: typed<HistorySettings>()(['history-settings']),
  /** GET /v1/auth/me: the signed-in user. */
  me: typed<Me>()(['auth', 'me']),
  /** GET /v1/auth/tokens: the signed-in user's API tokens. */
  tokens: ['auth', 'tokens'] as const,

  hosts: {
    /** Every hosts read (lists, counts, tags, one host, hosts linked to a repository). */
    all: hostsRoot,
    /** The fleet list, filtered (an infinite query: the pages loaded so far, by cursor). */
    list: <F extends object>(filters: F) => [...hostsRoot, 'list', filters] as const,
    /** How many hosts (with `status`, or all; `with_total`, capped at 10,000): the home tiles. */
    count: (status: HostStatus | null) => [...hostsRoot, 'count', status] as const,
    /** Tags in use across the fleet. */
    tags: () => [...hostsRoot, 'tags'] as const,
    /** Hosts enrolled since a token was made (the add-host dialog waits on it). */
    enrolledSince: (since: string, tag: string | null) => [...hostsRoot, 'new-since', since, tag] as const,
    /** The hosts linked to a repository (who may run its `restic init`). */
    linkedTo: (repositoryId: string) => [...hostsRoot, 'linked-to', repositoryId] as const,
    /** Every single-host read. */
    details: () => [...hostsRoot, 'one'] as const,
    detail: (id: string) => typed<Host>()([...hostsRoot, 'one', id]),
    /** A host's restore drill schedule (GET /v1/hosts/{id}/drill-schedule). */
    drillSchedule: (id: string) => typed<DrillScheduleAnswer>()([...hostsRoot, 'drill-schedule', id]),
    /** Whether a host's alert notifications are muted (GET /v1/hosts/{id}/mute). */
    mute: (id: string) => typed<HostMute>()([...hostsRoot, 'mute', id]),
  },

  /** GET /v1/pending-hosts: announced hosts waiting for approval (not under `hosts`). */
  pendingHosts: ['pending-hosts'] as const,

  jobs: {
    all: jobsRoot,
    /** Every job list: the history and each host's recent jobs. */
    lists: () => [...jobsRoot, 'list'] as const,
    /** The history, filtered (an infinite query: the pages loaded so far, by cursor). */
    list: <F extends object>(filters: F) => [...jobsRoot, 'list', filters] as const,
    /** A host's latest jobs (under `lists()`, so new jobs refresh it). */
    hostRecent: (hostId: string) => typed<JobList>()([...jobsRoot, 'list', 'host-recent', hostId]),
    detail: (id: string) => typed<Job>()([...jobsRoot, 'one', id]),
    /** A repository's newest care jobs of each kind (under `lists()`, so new jobs refresh it). */
    repositoryMaintenance: (repositoryId: string) => [...jobsRoot, 'list', 'repository-maintenance', repositoryId] as const,
    /** A repository's newest stats job, read whole (under `lists()`). */
    repositoryStats: (repositoryId: string) => typed<Job | null>()([...jobsRoot, 'list', 'repository-stats', repositoryId]),
    /** A repository's source → mirror copy pairs (under `lists()`: a new copy job refreshes it). */
    repositoryCopies: (repositoryId: string) => typed<RepositoryCopyList>()([...jobsRoot, 'list', 'repository-copies', repositoryId]),
    /** The fleet's newest restore drill and, when it did not succeed, the newest that did (the home tile; under `lists()`). */
    fleetLastDrill: () => [...jobsRoot, 'list', 'fleet-last-drill'] as const,
    /** The hosts offered by the history's host filter. */
    hostChoices: () => [...jobsRoot, 'host-choices'] as const,
  },

  snapshots: {
    all: snapshotsRoot,
    /** Every snapshot read of one host (a finished refresh or backup invalidates it). */
    ofHost: (hostId: string) => [...snapshotsRoot, 'host', hostId] as const,
    /** A host's snapshots, in one repository or all (an infinite query: the pages loaded so far, by cursor). */
    list: (hostId: string, repositoryId: string | null) => [...snapshotsRoot, 'host', hostId, 'list', repositoryId] as const,
    /** Every snapshot of a host, all repositories (read whole, a few pages): ids → times and repositories. */
    everything: (hostId: string) => typed<Snapshot[]>()([...snapshotsRoot, 'host', hostId, 'everything']),
    /** One directory of a snapshot, as sorted and filtered (an infinite query: the pages loaded so far, by offset). */
    tree: <F extends object>(hostId: string, snapshotId: string, query: F) => [...snapshotsRoot, 'host', hostId, 'tree', snapshotId, query] as const,
    /** A search across a host's snapshots (or one of them). */
    search: <F extends object>(hostId: string, query: F) => typed<SnapshotSearch>()([...snapshotsRoot, 'host', hostId, 'search', query]),
  },

  schedules: {
    all: schedulesRoot,
    /** A host's schedules with its config versions (GET /v1/hosts/{id}/schedules). */
    ofHost: (hostId: string) => typed<ScheduleList>()([...schedulesRoot, 'host', hostId]),
    /** What a cron expression means in a zone (the editor's live preview); never invalidated by a change. */
    preview: (cron: string, timezone: string | null, hostId: string) =>
      typed<CronPreview>()([...schedulesRoot, 'preview', { cron, timezone, hostId }]),
    /** The `restic backup` options a schedule may add (GET /v1/backup-options); fixed per server version. */
    backupOptions: () => typed<BackupOption[]>()([...schedulesRoot, 'backup-options']),
    /** A host's default hooks for all its schedules (GET /v1/hosts/{id}/hooks, admins only). */
    hostHooks: (hostId: string) => [...schedulesRoot, 'host-hooks', hostId] as const,
  },

  repositories: {
    all: ['repositories'] as const,
    list: () => ['repositories', 'list'] as const,
    detail: (id: string) => typed<Repository>()(['repositories', 'one', id]),
  },

  users: {
    all: ['users'] as const,
    /** The users list, filtered (an infinite query: the pages loaded so far, by cursor). */
    list: <F extends object>(filters: F) => ['users', 'list', filters] as const,
  },

  alerts: {
    /** Every alerts read: lists, the summary, one alert. An action on an alert invalidates it all. */
    all: alertsRoot,
    /** Every alert list: the alerts page and each host's unresolved alerts. */
    lists: () => [...alertsRoot, 'list'] as const,
    /** The alerts page, filtered (an infinite query: the pages loaded so far, by cursor). */
    list: <F extends object>(filters: F) => [...alertsRoot, 'list', filters] as const,
    /** A host's unresolved alerts (the host page's card; under `lists()`). */
    ofHost: (hostId: string) => typed<AlertList>()([...alertsRoot, 'list', 'host', hostId]),
    /** Unresolved counts by state and severity (the navigation's badge, the home tile). */
    summary: () => typed<AlertSummary>()([...alertsRoot, 'summary']),
    detail: (id: string) => typed<AlertDetail>()([...alertsRoot, 'one', id]),
    /** Every rule with its settings. */
    rules: () => typed<AlertRule[]>()([...alertsRoot, 'rules']),
    /** The hosts offered by the alerts page's host filter. */
    hostChoices: () => [...alertsRoot, 'host-choices'] as const,
    /** What went out about one alert, over every channel (the alert page's Notifications). */
    deliveries: (alertId: string) => typed<Delivery[]>()([...alertsRoot, 'deliveries', alertId]),
  },

  /** Notification channels: outside `alerts.all`, so an alert action does not reread them. */
  channels: {
    all: ['channels'] as const,
    list: () => typed<Channel[]>()(['channels', 'list']),
    /** A channel's delivery log (an infinite query: the pages loaded so far, by cursor). */
    deliveries: (channelId: string) => ['channels', 'deliveries', channelId] as const,
  },

  /** Single sign-on providers (admins only). */
  ssoProviders: {
    all: ['sso-providers'] as const,
    list: () => typed<SsoProvider[]>()(['sso-providers', 'list']),
  },

  /** GET /v1/sign-in-settings: whether password sign-in is on (admins only). */
  signInSettings: typed<SignInSettings>()(['sign-in-settings']),

  audit: {
    all: ['audit'] as const,
    events: <F extends object>(filters: F) => ['audit', 'events', filters] as const,
  },
} as const;

/** Whether `key` is `prefix` or lies under it (what an invalidation of `prefix` would reach). */
export function isUnder(key: QueryKey, prefix: QueryKey): boolean {
  return partialMatchKey(key, prefix);
}

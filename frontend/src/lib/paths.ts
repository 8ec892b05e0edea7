// Every in-app URL, in one place: the route table's patterns and the builders that links,
// redirects and navigation use (so `/hosts/${id}` is never typed by hand). A page that reads
// filters from its URL (the jobs history's host_id, the hosts list's status) is linked to with
// the same parameter names here.
import type { HostStatus, TreeSort } from '@/api/types';

/** Route patterns (absolute), for the route table and for matching. */
export const patterns = {
  home: '/',
  setup: '/setup',
  login: '/login',
  hosts: '/hosts',
  host: '/hosts/:id',
  /** Finding files across a host's snapshots (a static segment: it wins over `:snapshotId`). */
  snapshotSearch: '/hosts/:id/snapshots/search',
  /** Browsing one snapshot of a host. */
  snapshot: '/hosts/:id/snapshots/:snapshotId',
  /** What changed in a snapshot, against the one before it (or `?against=`). */
  snapshotDiff: '/hosts/:id/snapshots/:snapshotId/diff',
  jobs: '/jobs',
  job: '/jobs/:id',
  repositories: '/repositories',
  repository: '/repositories/:id',
  users: '/users',
  /** Single sign-on providers (a static segment: it wins over a user's `:id`). */
  ssoProviders: '/users/sso',
  audit: '/audit',
  alerts: '/alerts',
  /** The alert rules (a static segment: it wins over `:id`). */
  alertRules: '/alerts/rules',
  /** Where notifications go: email, ntfy, webhooks (a static segment: it wins over `:id`). */
  alertChannels: '/alerts/channels',
  alert: '/alerts/:id',
  profile: '/profile',
} as const;

/** `path`, with the parameters that have a value as its query string. */
function withQuery(path: string, params: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, value);
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

const segment = (id: string) => encodeURIComponent(id);

export interface HostsLink {
  status?: HostStatus | null;
  tag?: string | null;
}

/** The host page's tabs; the page reads `tab` from its URL (the overview when absent). */
export type HostTab = 'overview' | 'schedules';

/**
 * Where the snapshot browser stands; the page reads these from its URL (`path`, `repo`,
 * `sort`, `desc`, `filter`). Defaults are left out: the root, by name, ascending.
 */
export interface SnapshotLink {
  /** The directory inside the snapshot; `/` (the root) when absent. */
  path?: string | null;
  /** The repository, needed when the snapshot id is in two (a mirror keeps the id). */
  repositoryId?: string | null;
  sort?: TreeSort | null;
  descending?: boolean;
  /** Only names containing this. */
  filter?: string | null;
}

/** A search across a host's snapshots; the page reads `q`, `repo` and `snapshot` from its URL. */
export interface SnapshotSearchLink {
  q?: string | null;
  repositoryId?: string | null;
  /** Only this snapshot (full id). */
  snapshotId?: string | null;
}

/** A diff; the page reads `against`, `repo` and `filter` from its URL. */
export interface SnapshotDiffLink {
  against?: string | null;
  repositoryId?: string | null;
  filter?: string | null;
}

export interface JobsLink {
  hostId?: string | null;
}

/** The alerts page's filters; the page reads `state`, `severity` (repeated), `rule` and `host_id` from its URL. */
export interface AlertsLink {
  hostId?: string | null;
}

export const paths = {
  home: () => patterns.home,
  setup: () => patterns.setup,
  /** The sign-in page; `next` is where to go after signing in (checked there by `safeNext`). */
  login: (next?: string) => (next === undefined ? patterns.login : `${patterns.login}?next=${encodeURIComponent(next)}`),
  /** The fleet list, optionally filtered (the page reads `status` and `tag` from its URL). */
  hosts: (filters: HostsLink = {}) => withQuery(patterns.hosts, { status: filters.status, tag: filters.tag }),
  /** The fleet list, scrolled to the hosts waiting for approval. */
  pendingHosts: () => `${patterns.hosts}#pending`,
  /** A host's page, on its overview or another tab (`?tab=schedules`). */
  host: (id: string, tab: HostTab = 'overview') => withQuery(`${patterns.hosts}/${segment(id)}`, { tab: tab === 'overview' ? null : tab }),
  /** A snapshot's browser, at a directory (the root by default), sorted and filtered as given. */
  snapshot: (hostId: string, snapshotId: string, at: SnapshotLink = {}) =>
    withQuery(`${patterns.hosts}/${segment(hostId)}/snapshots/${segment(snapshotId)}`, {
      repo: at.repositoryId,
      path: at.path === '/' ? null : at.path,
      sort: at.sort === 'name' ? null : at.sort,
      desc: at.descending ? '1' : null,
      filter: at.filter,
    }),
  /** What changed in a snapshot (against the previous one unless `against` is given). */
  snapshotDiff: (hostId: string, snapshotId: string, query: SnapshotDiffLink = {}) =>
    withQuery(`${patterns.hosts}/${segment(hostId)}/snapshots/${segment(snapshotId)}/diff`, {
      against: query.against,
      repo: query.repositoryId,
      filter: query.filter,
    }),
  /** Finding files in a host's snapshots (all of them, or one with `snapshotId`). */
  snapshotSearch: (hostId: string, query: SnapshotSearchLink = {}) =>
    withQuery(`${patterns.hosts}/${segment(hostId)}/snapshots/search`, { q: query.q, repo: query.repositoryId, snapshot: query.snapshotId }),
  /** The jobs history, optionally filtered (the page reads `host_id` from its URL). */
  jobs: (filters: JobsLink = {}) => withQuery(patterns.jobs, { host_id: filters.hostId }),
  job: (id: string) => `${patterns.jobs}/${segment(id)}`,
  repositories: () => patterns.repositories,
  repository: (id: string) => `${patterns.repositories}/${segment(id)}`,
  users: () => patterns.users,
  ssoProviders: () => patterns.ssoProviders,
  audit: () => patterns.audit,
  /** The alerts page (unresolved alerts by default), optionally of one host. */
  alerts: (filters: AlertsLink = {}) => withQuery(patterns.alerts, { host_id: filters.hostId }),
  alert: (id: string) => `${patterns.alerts}/${segment(id)}`,
  alertRules: () => patterns.alertRules,
  alertChannels: () => patterns.alertChannels,
  profile: () => patterns.profile,
} as const;

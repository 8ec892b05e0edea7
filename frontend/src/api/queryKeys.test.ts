// The key hierarchy the invalidations rely on: what a prefix reaches across features, and
// what it must leave alone.
import { describe, expect, it } from 'vitest';
import { isUnder, keys } from './queryKeys';

const HOST = 'host-1';
const OTHER = 'host-2';

describe('query keys', () => {
  it('puts every hosts read under keys.hosts.all, and pending hosts beside it', () => {
    for (const key of [
      keys.hosts.list({ q: '', tag: null, status: null }),
      keys.hosts.count(null),
      keys.hosts.count('online'),
      keys.hosts.tags(),
      keys.hosts.enrolledSince('2025-03-01T10:00:00Z', null),
      keys.hosts.linkedTo('repo-1'),
      keys.hosts.detail(HOST),
      keys.hosts.drillSchedule(HOST),
      keys.hosts.mute(HOST),
    ]) {
      expect(isUnder(key, keys.hosts.all), JSON.stringify(key)).toBe(true);
    }
    expect(isUnder(keys.pendingHosts, keys.hosts.all)).toBe(false);
  });

  it('tells one host apart from the lists, and from another host', () => {
    expect(isUnder(keys.hosts.detail(HOST), keys.hosts.details())).toBe(true);
    expect(isUnder(keys.hosts.list({ q: '' }), keys.hosts.details())).toBe(false);
    expect(isUnder(keys.hosts.detail(OTHER), keys.hosts.detail(HOST))).toBe(false);
    expect(isUnder(keys.hosts.linkedTo(HOST), keys.hosts.detail(HOST))).toBe(false);
  });

  it("reaches a host's recent jobs from keys.jobs.lists(), but not one job", () => {
    expect(isUnder(keys.jobs.list({ hostId: null }), keys.jobs.lists())).toBe(true);
    expect(isUnder(keys.jobs.hostRecent(HOST), keys.jobs.lists())).toBe(true);
    // A drill started anywhere refreshes the home tile's newest drill.
    expect(isUnder(keys.jobs.fleetLastDrill(), keys.jobs.lists())).toBe(true);
    expect(isUnder(keys.jobs.detail('job-1'), keys.jobs.lists())).toBe(false);
    expect(isUnder(keys.jobs.hostChoices(), keys.jobs.lists())).toBe(false);
    expect(isUnder(keys.jobs.detail('job-1'), keys.jobs.all)).toBe(true);
  });

  it("keeps each host's snapshots under its own prefix", () => {
    expect(isUnder(keys.snapshots.list(HOST, null), keys.snapshots.ofHost(HOST))).toBe(true);
    expect(isUnder(keys.snapshots.list(HOST, 'repo-1'), keys.snapshots.ofHost(HOST))).toBe(true);
    expect(isUnder(keys.snapshots.list(OTHER, null), keys.snapshots.ofHost(HOST))).toBe(false);
  });

  it("keeps a host's schedules apart from another host's and from the cron previews", () => {
    expect(isUnder(keys.schedules.ofHost(HOST), keys.schedules.all)).toBe(true);
    expect(isUnder(keys.schedules.ofHost(OTHER), keys.schedules.ofHost(HOST))).toBe(false);
    expect(isUnder(keys.schedules.preview('0 3 * * *', null, HOST), keys.schedules.ofHost(HOST))).toBe(false);
    expect(keys.schedules.preview('0 3 * * *', 'UTC', HOST)).toEqual(keys.schedules.preview('0 3 * * *', 'UTC', HOST));
  });

  it("puts each resource's reads under its root, and tokens apart from me", () => {
    expect(isUnder(keys.repositories.list(), keys.repositories.all)).toBe(true);
    expect(isUnder(keys.users.list({ q: '' }), keys.users.all)).toBe(true);
    expect(isUnder(keys.audit.events({ actor: '' }), keys.audit.all)).toBe(true);
    expect(isUnder(keys.tokens, keys.me)).toBe(false);
  });

  it('keeps the channels apart from the alerts, and a channel log under the channels', () => {
    expect(isUnder(keys.channels.list(), keys.alerts.all)).toBe(false);
    expect(isUnder(keys.channels.deliveries('c-1'), keys.channels.all)).toBe(true);
    expect(isUnder(keys.alerts.deliveries('alert-1'), keys.alerts.all)).toBe(true);
  });

  it("reaches every alert list (a host's card included) from keys.alerts.lists(), and everything from keys.alerts.all", () => {
    expect(isUnder(keys.alerts.list({ state: 'unresolved' }), keys.alerts.lists())).toBe(true);
    expect(isUnder(keys.alerts.ofHost(HOST), keys.alerts.lists())).toBe(true);
    expect(isUnder(keys.alerts.summary(), keys.alerts.lists())).toBe(false);
    expect(isUnder(keys.alerts.detail('alert-1'), keys.alerts.lists())).toBe(false);
    for (const key of [keys.alerts.summary(), keys.alerts.detail('alert-1'), keys.alerts.rules(), keys.alerts.ofHost(HOST)]) {
      expect(isUnder(key, keys.alerts.all), JSON.stringify(key)).toBe(true);
    }
    expect(isUnder(keys.alerts.ofHost(OTHER), keys.alerts.ofHost(HOST))).toBe(false);
    // A host's mute is the host's, not an alert's.
    expect(isUnder(keys.hosts.mute(HOST), keys.alerts.all)).toBe(false);
  });

  it('builds equal keys for equal filters', () => {
    expect(keys.jobs.list({ hostId: HOST, kind: 'backup' })).toEqual(keys.jobs.list({ hostId: HOST, kind: 'backup' }));
    expect(keys.hosts.detail(HOST)).toEqual(['hosts', 'one', HOST]);
  });
});

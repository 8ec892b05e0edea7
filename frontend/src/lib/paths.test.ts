// The URL builders: the exact links the pages (and the e2e run) rely on, and every builder
// landing on the route pattern it belongs to.
import { matchPath } from 'react-router';
import { describe, expect, it } from 'vitest';
import { paths, patterns } from './paths';

const ID = '10000000-0000-4000-8000-000000000001';

describe('paths', () => {
  it('builds the links the pages use', () => {
    expect(paths.home()).toBe('/');
    expect(paths.host(ID)).toBe(`/hosts/${ID}`);
    expect(paths.host(ID, 'overview')).toBe(`/hosts/${ID}`);
    expect(paths.host(ID, 'schedules')).toBe(`/hosts/${ID}?tab=schedules`);
    expect(paths.job(ID)).toBe(`/jobs/${ID}`);
    expect(paths.jobs()).toBe('/jobs');
    expect(paths.jobs({ hostId: ID })).toBe(`/jobs?host_id=${ID}`);
    expect(paths.jobs({ hostId: null })).toBe('/jobs');
    expect(paths.hosts()).toBe('/hosts');
    expect(paths.hosts({ status: 'online' })).toBe('/hosts?status=online');
    expect(paths.hosts({ tag: 'web db' })).toBe('/hosts?tag=web+db');
    expect(paths.pendingHosts()).toBe('/hosts#pending');
    expect(paths.login()).toBe('/login');
    expect(paths.login('/audit?outcome=denied')).toBe('/login?next=%2Faudit%3Foutcome%3Ddenied');
    expect(paths.alerts()).toBe('/alerts');
    expect(paths.alerts({ hostId: ID })).toBe(`/alerts?host_id=${ID}`);
    expect(paths.alert(ID)).toBe(`/alerts/${ID}`);
    expect(paths.alertRules()).toBe('/alerts/rules');
    expect(paths.alertChannels()).toBe('/alerts/channels');
    expect(paths.ssoProviders()).toBe('/users/sso');
  });

  it('encodes what it puts in a path segment', () => {
    expect(paths.host('a/b')).toBe('/hosts/a%2Fb');
    expect(paths.job('x y')).toBe('/jobs/x%20y');
  });

  it('keeps the snapshot browser’s place in its query, defaults left out', () => {
    const snap = 'ab'.repeat(32);
    expect(paths.snapshot(ID, snap)).toBe(`/hosts/${ID}/snapshots/${snap}`);
    expect(paths.snapshot(ID, snap, { path: '/', sort: 'name', descending: false, filter: '' })).toBe(`/hosts/${ID}/snapshots/${snap}`);
    const url = new URL(paths.snapshot(ID, snap, { path: '/etc/my dir', sort: 'mtime', descending: true, filter: 'a&b', repositoryId: 'r1' }), 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({ repo: 'r1', path: '/etc/my dir', sort: 'mtime', desc: '1', filter: 'a&b' });
    expect(paths.snapshotSearch(ID, { q: '*.conf', snapshotId: snap })).toBe(`/hosts/${ID}/snapshots/search?q=*.conf&snapshot=${snap}`);
    // The search is not taken for a snapshot id by the route table.
    expect(matchPath(patterns.snapshotSearch, `/hosts/${ID}/snapshots/search`)).not.toBeNull();
  });

  it('lands every builder on its route pattern', () => {
    const cases: [string, string][] = [
      [patterns.home, paths.home()],
      [patterns.setup, paths.setup()],
      [patterns.login, paths.login('/x')],
      [patterns.hosts, paths.hosts({ status: 'offline' })],
      [patterns.hosts, paths.pendingHosts()],
      [patterns.host, paths.host(ID)],
      [patterns.host, paths.host(ID, 'schedules')],
      [patterns.snapshot, paths.snapshot(ID, 'ab'.repeat(32), { path: '/etc/nginx', sort: 'size', descending: true })],
      [patterns.snapshotSearch, paths.snapshotSearch(ID, { q: '*.conf' })],
      [patterns.jobs, paths.jobs({ hostId: ID })],
      [patterns.job, paths.job(ID)],
      [patterns.repositories, paths.repositories()],
      [patterns.users, paths.users()],
      [patterns.ssoProviders, paths.ssoProviders()],
      [patterns.audit, paths.audit()],
      [patterns.profile, paths.profile()],
      [patterns.alerts, paths.alerts({ hostId: ID })],
      [patterns.alert, paths.alert(ID)],
      [patterns.alertRules, paths.alertRules()],
      [patterns.alertChannels, paths.alertChannels()],
    ];
    for (const [pattern, url] of cases) {
      const { pathname } = new URL(url, 'http://cairn.test');
      expect(matchPath(pattern, pathname), `${url} matches ${pattern}`).not.toBeNull();
    }
    expect(matchPath(patterns.host, paths.host(ID))?.params.id).toBe(ID);
  });
});

// The schedule editor's pure logic: presets ↔ cron, the form → request mapping (optional fields
// left out, never null), a stored schedule going back out unchanged, and the rules that mirror
// the server's.
import { describe, expect, it } from 'vitest';
import type { Schedule } from '@/api/types';
import {
  CUSTOM_PRESET,
  cronOfPreset,
  keepsSomething,
  mirrorOptions,
  newScheduleValues,
  presetOf,
  retentionOf,
  retentionSummary,
  scheduleRequest,
  scheduleValues,
  validateSchedule,
  type ScheduleValues,
} from './form';

const REPO = '30000000-0000-4000-8000-000000000001';

function values(overrides: Partial<ScheduleValues> = {}): ScheduleValues {
  return { ...newScheduleValues([REPO]), name: 'nightly', paths: '/etc\n/home', ...overrides };
}

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    id: '50000000-0000-4000-8000-000000000001',
    host_id: '10000000-0000-4000-8000-000000000001',
    repository_id: REPO,
    name: 'nightly',
    cron: '0 3 * * *',
    description: 'Every day at 03:00',
    timezone: 'Europe/Berlin',
    effective_timezone: 'Europe/Berlin',
    enabled: true,
    backup: {
      paths: ['/etc', '/home'],
      excludes: ['*.tmp'],
      exclude_files: ['/etc/restic/excludes'],
      tags: ['nightly'],
      one_file_system: true,
      limit_upload_kib: 2048,
      extra_options: [],
    },
    retention: { keep_daily: 7, keep_weekly: 4, keep_within: '30d', keep_tags: ['keep'] },
    forget_after_backup: true,
    prune_after_forget: true,
    prune_max_unused: '5%',
    missed: 'skip',
    has_hooks: false,
    state: 'ready',
    findings: [],
    next_fires: [],
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-01T10:00:00Z',
    ...overrides,
  };
}

describe('cron presets', () => {
  it('names the preset an expression is, whatever its spacing, and custom otherwise', () => {
    expect(presetOf('0 3 * * *')).toBe('daily');
    expect(presetOf('  0   3 * *  * ')).toBe('daily');
    expect(presetOf('0 */6 * * *')).toBe('every-6-hours');
    expect(presetOf('0 3 * * 0')).toBe('weekly');
    expect(presetOf('0 3 1 * *')).toBe('monthly');
    expect(presetOf('0 * * * *')).toBe('hourly');
    expect(presetOf('@hourly')).toBe('hourly');
    // @daily is midnight, not the 03:00 preset.
    expect(presetOf('@daily')).toBe(CUSTOM_PRESET);
    expect(presetOf('30 2 * * 1-5')).toBe(CUSTOM_PRESET);
    expect(presetOf('')).toBe(CUSTOM_PRESET);
  });

  it('gives each preset its expression, and nothing for custom', () => {
    expect(cronOfPreset('every-6-hours')).toBe('0 */6 * * *');
    expect(cronOfPreset('weekly')).toBe('0 3 * * 0');
    expect(cronOfPreset(CUSTOM_PRESET)).toBeUndefined();
    for (const preset of ['hourly', 'every-6-hours', 'daily', 'weekly', 'monthly']) {
      expect(presetOf(cronOfPreset(preset) ?? '')).toBe(preset);
    }
  });

  it('starts a new schedule daily at 03:00 on the only linked repository', () => {
    expect(presetOf(newScheduleValues([REPO]).cron)).toBe('daily');
    expect(newScheduleValues([REPO]).repositoryId).toBe(REPO);
    expect(newScheduleValues([REPO, 'other']).repositoryId).toBeNull();
    expect(newScheduleValues([]).repositoryId).toBeNull();
  });
});

describe('scheduleRequest', () => {
  it('leaves every optional field out when it is empty, rather than sending null', () => {
    const body = scheduleRequest(values({ name: '  nightly ', excludes: '\n \n' }));
    expect(body).toEqual({
      name: 'nightly',
      repository_id: REPO,
      cron: '0 3 * * *',
      backup: { paths: ['/etc', '/home'], excludes: [], exclude_files: [], tags: [], one_file_system: false, extra_options: [] },
      enabled: true,
      forget_after_backup: false,
      prune_after_forget: false,
      missed: 'run_once',
    });
    const json = JSON.stringify(body);
    expect(json).not.toContain('null');
    for (const key of ['timezone', 'retention', 'prune_max_unused', 'copy_to']) expect(Object.hasOwn(body, key), key).toBe(false);
    expect(Object.hasOwn(body.backup, 'limit_upload_kib')).toBe(false);
    expect(Object.hasOwn(body.backup, 'limit_download_kib')).toBe(false);
  });

  it('sends no cron for a manual schedule, even with an expression left in the field', () => {
    const body = scheduleRequest(values({ kind: 'manual', cron: '0 3 * * *', timezone: 'UTC' }));
    expect(Object.hasOwn(body, 'cron')).toBe(false);
    expect(body.timezone).toBe('UTC');
  });

  it('sends what is set: zone, limits, retention rules, forget, prune and its max unused', () => {
    const body = scheduleRequest(
      values({
        cron: ' 0 */6 * * * ',
        timezone: 'Europe/Berlin',
        excludes: '*.tmp',
        excludeFiles: '/etc/restic/excludes',
        tags: [' nightly ', ''],
        oneFileSystem: true,
        limitUploadKib: 2048,
        limitDownloadKib: '',
        extraOptions: ' --exclude-caches \n\n--exclude-larger-than=2G',
        keepDaily: 7,
        keepWeekly: 0,
        keepWithin: ' 30d ',
        forgetAfterBackup: true,
        pruneAfterForget: true,
        pruneMaxUnused: ' 5% ',
        missed: 'skip',
        enabled: false,
      }),
    );
    expect(body).toEqual({
      name: 'nightly',
      repository_id: REPO,
      cron: '0 */6 * * *',
      timezone: 'Europe/Berlin',
      backup: {
        paths: ['/etc', '/home'],
        excludes: ['*.tmp'],
        exclude_files: ['/etc/restic/excludes'],
        tags: ['nightly'],
        one_file_system: true,
        limit_upload_kib: 2048,
        extra_options: ['--exclude-caches', '--exclude-larger-than=2G'],
      },
      // A 0 typed in is a rule the person set (keep none weekly): sent, not dropped.
      retention: { keep_daily: 7, keep_weekly: 0, keep_within: '30d', keep_tags: [] },
      forget_after_backup: true,
      prune_after_forget: true,
      prune_max_unused: '5%',
      missed: 'skip',
      enabled: false,
    });
  });

  it('does not send prune (or its max unused) without forget', () => {
    const body = scheduleRequest(values({ keepLast: 3, forgetAfterBackup: false, pruneAfterForget: true, pruneMaxUnused: '5%' }));
    expect(body.prune_after_forget).toBe(false);
    expect(Object.hasOwn(body, 'prune_max_unused')).toBe(false);
    expect(body.retention).toEqual({ keep_last: 3, keep_tags: [] });
  });

  it('sends a stored schedule back unchanged (the edit form and enable/disable replace it whole)', () => {
    const s = schedule();
    const body = scheduleRequest(scheduleValues(s));
    expect(body).toEqual({
      name: s.name,
      repository_id: s.repository_id,
      cron: s.cron,
      timezone: s.timezone,
      backup: s.backup,
      retention: s.retention,
      forget_after_backup: true,
      prune_after_forget: true,
      prune_max_unused: '5%',
      missed: 'skip',
      enabled: true,
    });
  });

  it('round-trips the extra options of a stored schedule', () => {
    const s = schedule({ backup: { ...schedule().backup, extra_options: ['--exclude-caches', '--exclude-larger-than=2G', '--compression=max'] } });
    const v = scheduleValues(s);
    expect(v.extraOptions).toBe('--exclude-caches\n--exclude-larger-than=2G\n--compression=max');
    expect(scheduleRequest(v).backup).toEqual(s.backup);
    // A schedule the server sent without the (default, empty) list goes back with an empty one.
    const { extra_options: _dropped, ...bare } = s.backup;
    expect(scheduleRequest(scheduleValues(schedule({ backup: bare as Schedule['backup'] }))).backup.extra_options).toEqual([]);
  });

  it('leaves hooks out unless asked, so a non-admin’s save keeps the stored ones', () => {
    const hooks = { pre: { command: 'pg_dump app > /tmp/app.sql', timeout_secs: 600 }, post: { command: 'echo done', timeout_secs: 30 } };
    const s = schedule({ has_hooks: true, hooks });
    expect(Object.hasOwn(scheduleRequest(scheduleValues(s)), 'hooks')).toBe(false);
    // An admin's round trip sends them back unchanged.
    expect(scheduleRequest(scheduleValues(s), { withHooks: true }).hooks).toEqual(hooks);
    // A viewer's copy (no `hooks`) starts empty with the default timeouts.
    const hidden = scheduleValues(schedule({ has_hooks: true }));
    expect([hidden.hookPre, hidden.hookPost, hidden.hookPreTimeout, hidden.hookPostTimeout]).toEqual(['', '', 300, 300]);
  });

  it('sends {} to remove the hooks, and a blank command as no hook', () => {
    expect(scheduleRequest(values(), { withHooks: true }).hooks).toEqual({});
    const body = scheduleRequest(values({ hookPre: '  ', hookPost: ' systemctl start app \n', hookPostTimeout: 45 }), { withHooks: true });
    expect(body.hooks).toEqual({ post: { command: 'systemctl start app', timeout_secs: 45 } });
  });

  it('keeps a schedule on its host’s zone and a manual one manual', () => {
    const s = schedule({ cron: undefined, description: undefined, timezone: undefined, effective_timezone: 'Europe/Berlin', retention: undefined });
    const v = scheduleValues(s);
    expect(v.kind).toBe('manual');
    expect(v.timezone).toBeNull();
    const body = scheduleRequest(v);
    for (const key of ['cron', 'timezone', 'retention']) expect(Object.hasOwn(body, key), key).toBe(false);
  });
});

describe('retention', () => {
  it('is left out when no rule is set, and keeps something only with a non-zero rule', () => {
    expect(retentionOf(values())).toBeUndefined();
    expect(keepsSomething(undefined)).toBe(false);
    expect(keepsSomething(retentionOf(values({ keepDaily: 0 })))).toBe(false);
    expect(keepsSomething(retentionOf(values({ keepDaily: 1 })))).toBe(true);
    expect(keepsSomething(retentionOf(values({ keepWithin: '30d' })))).toBe(true);
    expect(keepsSomething(retentionOf(values({ keepTags: ['keep'] })))).toBe(true);
  });

  it('reads as a short summary for the list', () => {
    expect(retentionSummary(undefined)).toBeNull();
    expect(retentionSummary({ keep_tags: [] })).toBeNull();
    expect(retentionSummary({ keep_daily: 7, keep_weekly: 4, keep_within: '30d', keep_tags: ['keep', 'gold'] })).toBe(
      'keep 7 daily, 4 weekly, within 30d, tagged keep, gold',
    );
  });
});

describe('validateSchedule', () => {
  it('accepts a complete schedule, and a manual one without an expression', () => {
    expect(validateSchedule(values())).toEqual({});
    expect(validateSchedule(values({ kind: 'manual', cron: '' }))).toEqual({});
  });

  it('needs a name, a repository, paths and (for a cron schedule) an expression', () => {
    const errors = validateSchedule(values({ name: ' ', repositoryId: null, paths: '', cron: '  ' }));
    expect(errors.name).toBe('Name is required');
    expect(errors.repositoryId).toBe('Choose the repository to back up to');
    expect(errors.paths).toMatch(/at least one path/);
    expect(errors.cron).toMatch(/^Enter when it runs/);
    expect(validateSchedule(values({ name: 'x'.repeat(101) })).name).toBe('Name must be at most 100 characters');
    expect(validateSchedule(values({ name: 'a\tb' })).name).toBe('Name must not contain control characters');
  });

  it('refuses forget without a rule that keeps something (forget would remove every snapshot)', () => {
    expect(validateSchedule(values({ forgetAfterBackup: true })).forgetAfterBackup).toMatch(/keeps something/);
    expect(validateSchedule(values({ forgetAfterBackup: true, keepLast: 0 })).forgetAfterBackup).toMatch(/keeps something/);
    expect(validateSchedule(values({ forgetAfterBackup: true, keepLast: 1 }))).toEqual({});
  });

  it('checks keep counts, keep within and max unused in restic’s forms', () => {
    expect(validateSchedule(values({ keepDaily: 100_000 }))).toEqual({});
    expect(validateSchedule(values({ keepDaily: 100_001 })).keepDaily).toBe('Enter a whole number from 0 to 100,000');
    expect(validateSchedule(values({ keepHourly: 1.5 })).keepHourly).toBe('Enter a whole number from 0 to 100,000');
    for (const ok of ['30d', '1y6m', '12h', '2y']) expect(validateSchedule(values({ keepWithin: ok })), ok).toEqual({});
    for (const bad of ['30 days', 'd30', '1.5d', '2w']) expect(validateSchedule(values({ keepWithin: bad })).keepWithin, bad).toMatch(/y, m, d or h/);
    const prune = { keepLast: 1, forgetAfterBackup: true, pruneAfterForget: true };
    for (const ok of ['5%', '2.5%', '500M', '2G', 'unlimited', '']) expect(validateSchedule(values({ ...prune, pruneMaxUnused: ok })), ok).toEqual({});
    for (const bad of ['5 %', '.5%', 'lots', '2GB']) {
      expect(validateSchedule(values({ ...prune, pruneMaxUnused: bad })).pruneMaxUnused, bad).toBe('A percentage (5%), a size (2G) or unlimited');
    }
    // Without prune the field is not sent, so it is not judged.
    expect(validateSchedule(values({ pruneMaxUnused: 'lots' }))).toEqual({});
  });

  it('checks extra options: the --name form, at most 20, and against the allow-list when it is known', () => {
    const options = [
      { name: '--exclude-caches', value: 'none', since: '0.9', help: 'h' },
      { name: '--exclude-larger-than', value: 'size', since: '0.10', help: 'h' },
    ];
    expect(validateSchedule(values({ extraOptions: '--exclude-caches\n--exclude-larger-than=2G' }), { options })).toEqual({});
    expect(validateSchedule(values({ extraOptions: 'exclude-caches' })).extraOptions).toMatch(/write it as --name or --name=value/);
    expect(validateSchedule(values({ extraOptions: Array.from({ length: 21 }, (_, i) => `--o${i}`).join('\n') })).extraOptions).toBe(
      'At most 20 extra options (21 entered)',
    );
    expect(validateSchedule(values({ extraOptions: '--password-command=sh' }), { options }).extraOptions).toBe(
      '--password-command is not an option a schedule may add',
    );
    // Without the list (it could not be read) the server is left to judge the name.
    expect(validateSchedule(values({ extraOptions: '--password-command=sh' }))).toEqual({});
    expect(validateSchedule(values({ extraOptions: '--exclude-caches=yes' }), { options }).extraOptions).toBe('--exclude-caches takes no value');
    expect(validateSchedule(values({ extraOptions: '--exclude-larger-than' }), { options }).extraOptions).toBe(
      '--exclude-larger-than needs a value: --exclude-larger-than=…',
    );
  });

  it('judges hook timeouts only for those who send hooks, and only with a command', () => {
    const bad = values({ hookPre: 'true', hookPreTimeout: 0, hookPost: 'true', hookPostTimeout: 86_401 });
    expect(validateSchedule(bad)).toEqual({});
    const errors = validateSchedule(bad, { withHooks: true });
    expect(errors.hookPreTimeout).toBe('Enter a whole number of seconds from 1 to 86,400');
    expect(errors.hookPostTimeout).toBe('Enter a whole number of seconds from 1 to 86,400');
    expect(validateSchedule(values({ hookPreTimeout: 0 }), { withHooks: true })).toEqual({});
    expect(validateSchedule(values({ hookPre: 'x'.repeat(4097) }), { withHooks: true }).hookPre).toBe('At most 4,096 characters');
  });

  it('checks the backup options like a one-off backup, plus exclude files, limits and keep tags', () => {
    const errors = validateSchedule(
      values({ excludeFiles: 'relative.txt', limitUploadKib: 0, limitDownloadKib: 10_000_001, tags: ['two words'], keepTags: ['a,b'] }),
    );
    expect(errors.excludeFiles).toMatch(/not an absolute path/);
    expect(errors.limitUploadKib).toMatch(/^Enter 1–10,000,000 KiB\/s/);
    expect(errors.limitDownloadKib).toMatch(/^Enter 1–10,000,000 KiB\/s/);
    expect(errors.tags).toMatch(/no commas or spaces/);
    expect(errors.keepTags).toMatch(/no commas or spaces/);
  });
});

describe('copy to a mirror', () => {
  const MIRROR = '30000000-0000-4000-8000-0000000000b2';
  const OTHER = '30000000-0000-4000-8000-0000000000cc';

  it('sends copy_to only when a mirror is chosen, and reads it back from a stored schedule', () => {
    expect(Object.hasOwn(scheduleRequest(values()), 'copy_to')).toBe(false);
    expect(scheduleRequest(values({ copyTo: MIRROR })).copy_to).toBe(MIRROR);
    const s = schedule({ copy_to: MIRROR });
    expect(scheduleValues(s).copyTo).toBe(MIRROR);
    expect(scheduleRequest(scheduleValues(s)).copy_to).toBe(MIRROR);
    expect(scheduleValues(schedule()).copyTo).toBeNull();
  });

  it('refuses copying a repository onto itself', () => {
    expect(validateSchedule(values({ copyTo: REPO })).copyTo).toBe('Choose a repository other than the one it backs up to');
    expect(validateSchedule(values({ copyTo: MIRROR }))).toEqual({});
  });

  it('offers the host’s other linked repositories by name, and keeps a stored mirror no longer linked', () => {
    const names = new Map([
      [REPO, 'office-nas'],
      [MIRROR, 'offsite-b2'],
      [OTHER, 'a-usb-disk'],
    ]);
    expect(mirrorOptions([REPO, MIRROR, OTHER], names, REPO, undefined)).toEqual([
      { value: OTHER, label: 'a-usb-disk' },
      { value: MIRROR, label: 'offsite-b2' },
    ]);
    expect(mirrorOptions([REPO], names, REPO, undefined)).toEqual([]);
    expect(mirrorOptions([REPO], names, REPO, MIRROR)).toEqual([{ value: MIRROR, label: 'offsite-b2' }]);
    expect(mirrorOptions([REPO, MIRROR], new Map(), null, undefined).map((o) => o.label)).toEqual([MIRROR, REPO].sort());
  });
});

// Short names for the generated schema types used across the app (aliases only, never hand-written shapes).
import type { components } from './schema';

type Schemas = components['schemas'];

export type Role = Schemas['Role'];
export type Permission = Schemas['Permission'];
export type User = Schemas['User'];
export type Me = Schemas['Me'];
export type ServerInfo = Schemas['ServerInfo'];
export type HistorySettings = Schemas['HistorySettings'];
export type SetupRequest = Schemas['SetupRequest'];
export type LoginRequest = Schemas['LoginRequest'];
export type UpdateProfileRequest = Schemas['UpdateProfileRequest'];
export type ChangePasswordRequest = Schemas['ChangePasswordRequest'];
export type ApiToken = Schemas['ApiToken'];
export type CreateApiTokenRequest = Schemas['CreateApiTokenRequest'];
export type CreatedApiToken = Schemas['CreatedApiToken'];
export type UserList = Schemas['UserList'];
export type CreateUserRequest = Schemas['CreateUserRequest'];
export type UpdateUserRequest = Schemas['UpdateUserRequest'];
export type AuditEvent = Schemas['AuditEvent'];
export type AuditPage = Schemas['AuditPage'];
export type AuditVerification = Schemas['AuditVerification'];
export type AuditOutcome = Schemas['AuditOutcome'];
export type ExportFormat = Schemas['ExportFormat'];
/** Single sign-on (OpenID Connect): a sign-in button, and a provider as admins configure it (the client secret is write-only). */
export type SsoButton = Schemas['SsoButton'];
export type SsoProvider = Schemas['SsoProvider'];
export type SsoProviderRequest = Schemas['SsoProviderRequest'];
export type SsoRoleMapping = Schemas['SsoRoleMapping'];
/** Password sign-in: on or off, forced off by the configuration file, and who keeps a password. */
export type SignInSettings = Schemas['SignInSettings'];
export type SignInSettingsRequest = Schemas['SignInSettingsRequest'];

/** A role on the hosts carrying any of some tags (viewer or operator only). */
export type HostRoleBinding = Schemas['HostRoleBinding'];

/** Roles that mean something on their own (tokens, SSO mappings, the default SSO role). */
export const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];
/** A user's role over all hosts: also `none`, for someone who has host roles only. */
export const USER_ROLES: readonly Role[] = ['admin', 'operator', 'viewer', 'none'];
/** Roles a host-scoped binding may carry (admin is always over all hosts). */
export const BINDING_ROLES: readonly Role[] = ['operator', 'viewer'];

// Fleet: hosts, enrollment, pending (announced) hosts.
export type Host = Schemas['Host'];
export type HostList = Schemas['HostList'];
export type HostStatus = Schemas['HostStatus'];
export type EnrollmentToken = Schemas['EnrollmentToken'];
export type CreateEnrollmentTokenRequest = Schemas['CreateEnrollmentTokenRequest'];
export type CreatedEnrollmentToken = Schemas['CreatedEnrollmentToken'];
export type PendingHost = Schemas['PendingHost'];
export type PendingHostList = Schemas['PendingHostList'];
export type QueuedCommand = Schemas['QueuedCommand'];

// Repositories (credentials are write-only: only has_password and env_keys come back).
export type Repository = Schemas['Repository'];
export type RepositoryList = Schemas['RepositoryList'];
export type CreateRepositoryRequest = Schemas['CreateRepositoryRequest'];
export type UpdateRepositoryRequest = Schemas['UpdateRepositoryRequest'];
/** A host's agent opening one linked repository with restic (`restic cat config`). */
export type RepositoryProbeResult = Schemas['RepositoryProbeResult'];

// Jobs (backup, init, snapshot refresh), their live feed, and the snapshots they make.
export type Job = Schemas['Job'];
export type JobList = Schemas['JobList'];
export type JobKind = Schemas['JobKind'];
export type JobState = Schemas['JobStatus'];
export type JobProgress = Schemas['JobProgress'];
export type JobResult = Schemas['JobResult'];
export type BackupSpec = Schemas['BackupSpec'];
export type BackupSummary = Schemas['BackupSummary'];
export type LogLine = Schemas['LogLine'];
export type LogPage = Schemas['LogPage'];
export type JobFeedEvent = Schemas['JobFeedEvent'];
export type CreateBackupRequest = Schemas['CreateBackupRequest'];
export type Snapshot = Schemas['Snapshot'];
export type SnapshotList = Schemas['SnapshotList'];
/** Looking inside a snapshot: one directory page (GET …/snapshots/{id}/tree) and its entries. */
export type SnapshotTree = Schemas['SnapshotTree'];
export type TreeEntry = Schemas['TreeEntry'];
export type TreeSort = Schemas['TreeSort'];
/** How far the agent has read a snapshot it opens for the first time. */
export type IndexProgress = Schemas['IndexProgress'];
/** The other host whose agent read a snapshot because its own host is offline. */
export type ReadThroughHost = Schemas['ReadThroughHost'];
/** A search across a host's snapshots (GET …/snapshots/search): paths, their versions, the snapshots holding each. */
export type SnapshotSearch = Schemas['SnapshotSearch'];
export type FoundPath = Schemas['FoundPath'];
export type FoundVersion = Schemas['FoundVersion'];

export const JOB_KINDS: readonly JobKind[] = ['backup', 'init', 'snapshots'];
export const JOB_STATES: readonly JobState[] = ['queued', 'dispatched', 'running', 'succeeded', 'warning', 'failed', 'cancelled', 'lost'];
/** States in which a job has not ended yet (it may still be cancelled). */
export const ACTIVE_JOB_STATES: readonly JobState[] = ['queued', 'dispatched', 'running'];

// Schedules: a host's recurring (or manual) backups, their retention, and what a cron means.
export type Schedule = Schemas['Schedule'];
export type ScheduleList = Schemas['ScheduleList'];
export type ScheduleRequest = Schemas['ScheduleRequest'];
export type ScheduleRun = Schemas['ScheduleRun'];
export type RetentionPolicy = Schemas['RetentionPolicy'];
export type MissedRun = Schemas['MissedRun'];
export type RunScheduleRequest = Schemas['RunScheduleRequest'];
export type CronPreview = Schemas['CronPreview'];
/** A host's restore drill schedule (GET/PUT /v1/hosts/{id}/drill-schedule) and what a drill found. */
export type DrillSchedule = Schemas['DrillSchedule'];
export type DrillScheduleAnswer = Schemas['DrillScheduleAnswer'];
export type SetDrillScheduleRequest = Schemas['SetDrillScheduleRequest'];
export type DrillReport = Schemas['DrillReport'];
/** A schedule's pre and post commands (admins only) and one of them. */
export type BackupHooks = Schemas['BackupHooks'];
export type Hook = Schemas['Hook'];
/** A `restic backup` option a schedule may add (`backup.extra_options`), from GET /v1/backup-options. */
export type BackupOption = Schemas['BackupOption'];
/** What a preflight found, how much it holds a schedule back, and the whole answer. */
export type Finding = Schemas['Finding'];
export type Severity = Schemas['Severity'];
export type PreflightState = Schemas['PreflightState'];
export type PreflightReport = Schemas['PreflightReport'];
export type PreflightDraftRequest = Schemas['PreflightDraftRequest'];

// Repository care: forget reports, the retention preview, maintenance jobs, the delete guard, stats.
export type ForgetReport = Schemas['ForgetReport'];
export type ForgetSnapshot = Schemas['ForgetSnapshot'];
export type ForgetGuard = Schemas['ForgetGuard'];
export type RetentionPreview = Schemas['RetentionPreview'];
export type RetentionPreviewRequest = Schemas['RetentionPreviewRequest'];
export type RepositoryJobRequest = Schemas['RepositoryJobRequest'];
export type RepositoryStats = Schemas['RepositoryStats'];
export type ForgetArgs = Schemas['ForgetArgs'];
/** Copy to a mirror (3-2-1): a copy job's result, and a repository's source → mirror pairs. */
export type CopyReport = Schemas['CopyReport'];
export type RepositoryCopy = Schemas['RepositoryCopy'];
export type RepositoryCopyList = Schemas['RepositoryCopyList'];
export type RepositoryLocks = Schemas['RepositoryLocks'];
export type RepositoryLock = Schemas['RepositoryLock'];
export type CheckSchedule = Schemas['CheckSchedule'];
export type CheckScheduleRequest = Schemas['CheckScheduleRequest'];
/** A repository's newest check verdict (`last_check`). */
export type LastCheck = Schemas['LastCheck'];

// Alerts: what the rules raised, their life (events), the rules themselves, and a host's mute.
export type Alert = Schemas['Alert'];
export type AlertList = Schemas['AlertList'];
export type AlertDetail = Schemas['AlertDetail'];
export type AlertEvent = Schemas['AlertEvent'];
export type AlertEventKind = Schemas['AlertEventKind'];
export type AlertRule = Schemas['AlertRule'];
export type AlertRuleName = Schemas['AlertRuleName'];
export type AlertSeverity = Schemas['AlertSeverity'];
export type AlertState = Schemas['AlertStateName'];
export type AlertSubjectKind = Schemas['AlertSubjectKind'];
export type AlertSummary = Schemas['AlertSummary'];
export type UpdateAlertRuleRequest = Schemas['UpdateAlertRuleRequest'];
export type SnoozeRequest = Schemas['SnoozeRequest'];
export type HostMute = Schemas['HostMute'];
export type HostMuteRequest = Schemas['HostMuteRequest'];
/** Notification channels (email, ntfy, webhook) and what went out over them. */
export type Channel = Schemas['Channel'];
export type ChannelKindSettings = Schemas['ChannelKindSettings'];
export type ChannelKind = ChannelKindSettings['kind'];
export type ChannelRequest = Schemas['ChannelRequest'];
export type ChannelSaved = Schemas['ChannelSaved'];
export type ChannelTestResult = Schemas['ChannelTestResult'];
export type QuietHours = Schemas['QuietHours'];
export type SmtpSecurity = Schemas['SmtpSecurityName'];
export type Delivery = Schemas['Delivery'];
export type DeliveryList = Schemas['DeliveryList'];
export type DeliveryState = Schemas['DeliveryState'];

/** Mildest first, as the server orders them. */
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'error', 'critical'];
export const ALERT_STATES: readonly AlertState[] = ['open', 'acknowledged', 'resolved'];
export const ALERT_RULES: readonly AlertRuleName[] = [
  'backup_failed',
  'backup_warning',
  'nothing_ran',
  'rpo_missed',
  'unscheduled',
  'unusual_change',
  'job_stuck',
  'job_lost',
  'check_failed',
  'maintenance_failed',
  'restore_failed',
  'restore_succeeded',
  'drill_failed',
  'agent_offline',
  'version_behind',
  'repository_locked',
  'guard_tripped',
];

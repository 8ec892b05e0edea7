//! Every error code the API answers with, in one list: the `code` of `{code, message,
//! details}`. Codes are stable (clients branch on them); each is documented in
//! docs/api.md, which a test checks. The ones the agent reacts to come from cairn-proto.

macro_rules! codes {
    ($($variant:ident = $text:expr,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    AuthRequired = "auth.required",
    AuthInvalidCredentials = "auth.invalid_credentials",
    AuthInvalidToken = "auth.invalid_token",
    AuthTokenExpired = "auth.token_expired",
    AuthSessionExpired = "auth.session_expired",
    AuthRateLimited = "auth.rate_limited",
    AuthCsrf = "auth.csrf",
    AuthForbidden = "auth.forbidden",
    AuthUserDisabled = "auth.user_disabled",
    AuthLocalLoginDisabled = "auth.local_login_disabled",
    AuthLocalLoginFromConfig = "auth.local_login_from_config",
    AuthNoSsoProvider = "auth.no_sso_provider",
    AuthWrongPassword = "auth.wrong_password",
    AuthSsoFailed = "auth.sso_failed",
    AuthSsoState = "auth.sso_state",
    AuthSsoNoRole = "auth.sso_no_role",
    SsoProviderInvalid = "sso.provider_invalid",
    SsoSlugTaken = "sso.slug_taken",
    SetupInvalidToken = "setup.invalid_token",
    SetupAlreadyDone = "setup.already_done",
    UserInvalidUsername = "user.invalid_username",
    UserInvalidDisplayName = "user.invalid_display_name",
    UserInvalidEmail = "user.invalid_email",
    UserUsernameTaken = "user.username_taken",
    UserLastAdmin = "user.last_admin",
    UserDeleteSelf = "user.delete_self",
    UserInvalidBinding = "user.invalid_binding",
    SsoProviderFromConfig = "sso.provider_from_config",
    TokenInvalidName = "token.invalid_name",
    TokenRoleTooHigh = "token.role_too_high",
    TokenInvalidExpiry = "token.invalid_expiry",
    PasswordTooShort = "password.too_short",
    PasswordTooLong = "password.too_long",
    PasswordTooCommon = "password.too_common",
    PasswordSameAsUsername = "password.same_as_username",
    HostInvalidTag = "host.invalid_tag",
    HostTooManyTags = "host.too_many_tags",
    HostUnknownRepository = "host.unknown_repository",
    HostRepositoryHasSchedules = "host.repository_has_schedules",
    HostOffline = "host.offline",
    EnrollmentInvalidTtl = "enrollment.invalid_ttl",
    EnrollmentUnknownRepository = "enrollment.unknown_repository",
    AnnounceAlreadyDecided = "announce.already_decided",
    AnnounceRateLimited = "announce.rate_limited",
    AnnounceTooManyPending = "announce.too_many_pending",
    RepositoryInvalidName = "repository.invalid_name",
    RepositoryInvalidUrl = "repository.invalid_url",
    RepositoryInvalidPassword = "repository.invalid_password",
    RepositoryInvalidEnv = "repository.invalid_env",
    RepositoryNameTaken = "repository.name_taken",
    RepositoryInUse = "repository.in_use",
    RepositoryNotLinked = "repository.not_linked",
    RepositoryInvalidCheckSchedule = "repository.invalid_check_schedule",
    RepositoryNoOnlineHost = "repository.no_online_host",
    RepositoryLocksFailed = "repository.locks_failed",
    RepositoryInvalidGuard = "repository.invalid_guard",
    RepositoryRotationInProgress = "repository.rotation_in_progress",
    EnrollInvalidToken = "enroll.invalid_token",
    EnrollTokenUsed = "enroll.token_used",
    EnrollTokenExpired = "enroll.token_expired",
    EnrollKeyInUse = "enroll.key_in_use",
    AgentProtocolMismatch = cairn_proto::codes::AGENT_PROTOCOL_MISMATCH,
    AgentRevoked = cairn_proto::codes::AGENT_REVOKED,
    AgentClockSkew = cairn_proto::codes::AGENT_CLOCK_SKEW,
    AgentUnauthorized = cairn_proto::codes::AGENT_UNAUTHORIZED,
    AgentInvalidPublicKey = "agent.invalid_public_key",
    AgentInvalidFacts = "agent.invalid_facts",
    AgentTooManyJobs = "agent.too_many_jobs",
    JobInvalidBackup = "job.invalid_backup",
    JobRepositoryNotLinked = "job.repository_not_linked",
    JobAlreadyRunning = "job.already_running",
    JobFinished = "job.finished",
    AgentNoAnswer = "agent.no_answer",
    AskClosed = "ask.closed",
    JobBatchTooLarge = "job.batch_too_large",
    JobBadSeq = "job.bad_seq",
    JobBadLastEventId = "job.bad_last_event_id",
    JobInvalidArgs = "job.invalid_args",
    JobNotBlocked = "job.not_blocked",
    RetentionPreviewFailed = "retention.preview_failed",
    SnapshotReadFailed = "snapshot.read_failed",
    SnapshotRepositoryAmbiguous = "snapshot.repository_ambiguous",
    SnapshotInvalidPath = "snapshot.invalid_path",
    SnapshotInvalidPattern = "snapshot.invalid_pattern",
    SnapshotNone = "snapshot.none",
    SnapshotNoParent = "snapshot.no_parent",
    RestoreInvalidTarget = "restore.invalid_target",
    RestoreInvalidPaths = "restore.invalid_paths",
    RestoreNeedsConfirmation = "restore.needs_confirmation",
    RestoreTargetBusy = "restore.target_busy",
    RestorePreviewFailed = "restore.preview_failed",
    DrillScheduleInvalid = "drill_schedule.invalid",
    AlertInvalid = "alert.invalid",
    AlertResolved = "alert.resolved",
    AlertRuleInvalid = "alert_rule.invalid",
    ChannelInvalid = "channel.invalid",
    ChannelForbiddenTarget = "channel.forbidden_target",
    ChannelNameTaken = "channel.name_taken",
    ScheduleInvalidName = "schedule.invalid_name",
    ScheduleInvalidCron = "schedule.invalid_cron",
    ScheduleInvalidTimezone = "schedule.invalid_timezone",
    ScheduleInvalidBackup = "schedule.invalid_backup",
    ScheduleInvalidRetention = "schedule.invalid_retention",
    ScheduleRetentionKeepsNothing = "schedule.retention_keeps_nothing",
    SchedulePruneWithoutForget = "schedule.prune_without_forget",
    ScheduleInvalidPrune = "schedule.invalid_prune",
    ScheduleRepositoryNotLinked = "schedule.repository_not_linked",
    ScheduleNameTaken = "schedule.name_taken",
    ScheduleLimit = "schedule.limit",
    ScheduleInvalidHook = "schedule.invalid_hook",
    ScheduleBlocked = "schedule.blocked",
    RequestInvalidBody = "request.invalid_body",
    RequestInvalidParameter = "request.invalid_parameter",
    RequestInvalidPath = "request.invalid_path",
    RequestInvalidCursor = "request.invalid_cursor",
    RequestInvalidMultipart = "request.invalid_multipart",
    RequestUnsupportedMediaType = "request.unsupported_media_type",
    RequestMethodNotAllowed = "request.method_not_allowed",
    RequestTooLarge = "request.too_large",
    RequestInvalid = "request.invalid",
    RequestTimeout = "request.timeout",
    RequestBodyTimeout = "request.body_timeout",
    NotFound = "not_found",
    Internal = "internal",
    NotReady = "not_ready",
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl From<Code> for String {
    fn from(c: Code) -> String {
        c.as_str().to_string()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn every_code_is_unique_and_documented_in_the_api_guide() {
        let doc = include_str!("../../../../docs/api.md");
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{} is listed twice", c.as_str());
            assert!(
                doc.contains(&format!("| `{}` |", c.as_str())),
                "docs/api.md's error table lacks `{}`",
                c.as_str()
            );
        }
    }
}

//! `/audit`: search the audit log, export it (CSV, NDJSON), verify its hash chain.

use chrono::{DateTime, Utc};
use futures_util::stream;
use poem::Body;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::Query,
    payload::{Binary, Json},
    registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry},
};
use serde_json::Value;

use super::security::{Auth, perm};
use super::{ApiTags, error::ApiError, serde_json_body::SerdeJson, wire_time};
use crate::{
    app::AppState,
    domain::{
        audit as domain_audit,
        rows::{AuditFilter, AuditRow, ChainReport, Store},
    },
};

pub struct AuditApi;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum AuditOutcome {
    Success,
    Denied,
    Failure,
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(serialize_with = "wire_time::time")]
    pub time: DateTime<Utc>,
    /// user, token, system, anonymous or cli.
    pub actor_kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// What happened, e.g. `user.create`, `auth.login`, `access.denied`.
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
    /// success, denied or failure.
    pub outcome: String,
    pub details: Value,
    /// This event's link in the hash chain.
    pub hash: String,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        AuditEvent {
            details: serde_json::from_str(&r.details).unwrap_or(Value::String(r.details)),
            id: r.id,
            time: r.time,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            source_ip: r.source_ip,
            user_agent: r.user_agent,
            action: r.action,
            target_kind: r.target_kind,
            target_id: r.target_id,
            target_name: r.target_name,
            outcome: r.outcome,
            hash: r.hash,
        }
    }
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    /// Pass as `before` to get the next (older) page; absent on the last page. A text filter
    /// (`actor`, `target`, an `action` prefix) looks at 20,000 events per page at most, so
    /// its page can hold fewer than `limit` events, even none, and still have this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_before: Option<i64>,
}

/// An event as the NDJSON export writes it: the list's fields, with the time in chrono's
/// own form (`Z`), as the export has always written it and offline checkers read it.
struct ExportEvent<'a>(&'a AuditEvent);

impl serde::Serialize for ExportEvent<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let e = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &e.id)?;
        m.serialize_entry("time", &e.time)?;
        m.serialize_entry("actor_kind", &e.actor_kind)?;
        let optional = [
            ("actor_id", &e.actor_id),
            ("actor_name", &e.actor_name),
            ("source_ip", &e.source_ip),
            ("user_agent", &e.user_agent),
        ];
        for (k, v) in optional {
            if let Some(v) = v {
                m.serialize_entry(k, v)?;
            }
        }
        m.serialize_entry("action", &e.action)?;
        for (k, v) in [
            ("target_kind", &e.target_kind),
            ("target_id", &e.target_id),
            ("target_name", &e.target_name),
        ] {
            if let Some(v) = v {
                m.serialize_entry(k, v)?;
            }
        }
        m.serialize_entry("outcome", &e.outcome)?;
        m.serialize_entry("details", &e.details)?;
        m.serialize_entry("hash", &e.hash)?;
        m.end()
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditVerification {
    pub ok: bool,
    /// How many events were checked and found intact (before the first broken one).
    pub checked: u64,
    pub first_broken_id: Option<i64>,
    /// Events history retention removed from the start of the chain (`history.audit_days`);
    /// verification starts from the hash recorded at that cut.
    pub removed_by_retention: u64,
    pub message: String,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Ndjson,
}

/// One 200 answer with two media types (a derived enum would emit the 200 key twice).
pub struct ExportResponse {
    body: Body,
    content_type: &'static str,
    disposition: String,
}

impl poem::IntoResponse for ExportResponse {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .content_type(self.content_type)
            .header(poem::http::header::CONTENT_DISPOSITION, self.disposition)
            .body(self.body)
    }
}

impl ApiResponse for ExportResponse {
    fn meta() -> MetaResponses {
        use poem_openapi::{payload::Payload, types::Type};
        let media =
            |content_type| MetaMediaType { content_type, schema: Binary::<Body>::schema_ref() };
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The matching events, newest first, as CSV or NDJSON.",
                status: Some(200),
                status_range: None,
                content: vec![media(CSV_TYPE), media(NDJSON_TYPE)],
                headers: vec![MetaHeader {
                    name: "Content-Disposition".into(),
                    description: Some("attachment; filename=\"cairn-audit-….csv|ndjson\"".into()),
                    required: true,
                    deprecated: false,
                    schema: String::schema_ref(),
                }],
            }],
        }
    }

    fn register(_registry: &mut Registry) {}
}

const CSV_TYPE: &str = "text/csv; charset=utf-8";
const NDJSON_TYPE: &str = "application/x-ndjson";

fn filter(
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    outcome: Option<AuditOutcome>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> AuditFilter {
    AuditFilter {
        actor,
        action,
        target,
        outcome: outcome.map(|o| match o {
            AuditOutcome::Success => "success".to_string(),
            AuditOutcome::Denied => "denied".to_string(),
            AuditOutcome::Failure => "failure".to_string(),
        }),
        since,
        until,
    }
}

#[OpenApi(prefix_path = "/v1/audit", tag = "ApiTags::Audit")]
impl AuditApi {
    /// Audit events, newest first, filtered; page with `before`.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/", method = "get", operation_id = "list_audit_events")]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: Auth<perm::AuditRead>,
        /// Actor name (contains) or id.
        actor: Query<Option<String>>,
        /// Exact action, or a prefix ending in "." (e.g. `user.`).
        action: Query<Option<String>>,
        /// Target name (contains) or id.
        target: Query<Option<String>>,
        outcome: Query<Option<AuditOutcome>>,
        since: Query<Option<DateTime<Utc>>>,
        until: Query<Option<DateTime<Utc>>>,
        /// Only events older than this id.
        before: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<u64>>,
    ) -> Result<SerdeJson<AuditPage>, ApiError> {
        let f = filter(actor.0, action.0, target.0, outcome.0, since.0, until.0);
        let limit = limit.0.unwrap_or(100);
        let page = domain_audit::page(&state.store, &f, before.0, limit).await?;
        Ok(SerdeJson(AuditPage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_before: page.next_before,
        }))
    }

    /// Downloads every matching event (newest first) as CSV or NDJSON.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/export", method = "get", operation_id = "export_audit_events")]
    async fn export(
        &self,
        state: Data<&AppState>,
        _auth: Auth<perm::AuditRead>,
        format: Query<ExportFormat>,
        actor: Query<Option<String>>,
        action: Query<Option<String>>,
        target: Query<Option<String>>,
        outcome: Query<Option<AuditOutcome>>,
        since: Query<Option<DateTime<Utc>>>,
        until: Query<Option<DateTime<Utc>>>,
    ) -> Result<ExportResponse, ApiError> {
        let f = filter(actor.0, action.0, target.0, outcome.0, since.0, until.0);
        let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
        let body = export_stream(state.store.clone(), f, format.0);
        let (content_type, ext) = match format.0 {
            ExportFormat::Csv => (CSV_TYPE, "csv"),
            ExportFormat::Ndjson => (NDJSON_TYPE, "ndjson"),
        };
        let disposition = format!("attachment; filename=\"cairn-audit-{stamp}.{ext}\"");
        Ok(ExportResponse { body, content_type, disposition })
    }

    /// Recomputes the hash chain over every event and reports the first broken link.
    #[oai(path = "/verify", method = "get", operation_id = "verify_audit_chain")]
    async fn verify(
        &self,
        state: Data<&AppState>,
        _auth: Auth<perm::AuditRead>,
    ) -> Result<Json<AuditVerification>, ApiError> {
        let r = domain_audit::verify(&state.store).await?;
        Ok(Json(verification(r)))
    }
}

pub fn verification(r: ChainReport) -> AuditVerification {
    let removed = r.start.as_ref().map_or(0, |s| s.removed.max(0) as u64);
    let cut = match &r.start {
        Some(s) => format!(
            " The chain starts after event {}: {} older events were removed by history retention.",
            s.after_id, s.removed
        ),
        None => String::new(),
    };
    match r.first_broken_id {
        None => AuditVerification {
            ok: true,
            checked: r.checked,
            first_broken_id: None,
            removed_by_retention: removed,
            message: format!("All {} events are intact.{cut}", r.checked),
        },
        Some(id) => AuditVerification {
            ok: false,
            checked: r.checked,
            first_broken_id: Some(id),
            removed_by_retention: removed,
            message: format!(
                "The chain is broken at event {id}: {}.",
                r.reason.unwrap_or_default()
            ),
        },
    }
}

const CSV_HEADER: &str = "id,time,actor_kind,actor_id,actor_name,source_ip,user_agent,action,target_kind,target_id,target_name,outcome,details,hash\n";

/// A CSV cell: quoted when needed, and defused when a spreadsheet would run it as a formula.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

fn csv_line(r: &AuditRow) -> String {
    let o = |v: &Option<String>| csv_cell(v.as_deref().unwrap_or(""));
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
        r.id,
        r.time.to_rfc3339(),
        csv_cell(&r.actor_kind),
        o(&r.actor_id),
        o(&r.actor_name),
        o(&r.source_ip),
        o(&r.user_agent),
        csv_cell(&r.action),
        o(&r.target_kind),
        o(&r.target_id),
        o(&r.target_name),
        csv_cell(&r.outcome),
        csv_cell(&r.details),
        csv_cell(&r.hash),
    )
}

/// Streams the export in pages of 1000 so a large log never sits in memory whole.
fn export_stream(store: Store, f: AuditFilter, format: ExportFormat) -> Body {
    struct Cursor {
        store: Store,
        filter: AuditFilter,
        before: Option<i64>,
        header: bool,
        done: bool,
    }
    let start =
        Cursor { store, filter: f, before: None, header: format == ExportFormat::Csv, done: false };
    let s = stream::unfold(start, move |mut c| async move {
        if c.done {
            return None;
        }
        let mut out = String::new();
        if c.header {
            out.push_str(CSV_HEADER);
            c.header = false;
        }
        match domain_audit::page(&c.store, &c.filter, c.before, 1000).await {
            Ok(page) => {
                c.done = page.next_before.is_none();
                c.before = page.next_before;
                for r in &page.items {
                    match format {
                        ExportFormat::Csv => out.push_str(&csv_line(r)),
                        ExportFormat::Ndjson => {
                            let ev = AuditEvent::from(r.clone());
                            let line = serde_json::to_string(&ExportEvent(&ev));
                            out.push_str(&line.unwrap_or_default());
                            out.push('\n');
                        }
                    }
                }
                Some((Ok::<_, std::io::Error>(out.into_bytes()), c))
            }
            Err(e) => {
                tracing::error!(error = %e, "audit export failed mid-stream");
                Some((
                    Err(std::io::Error::other("audit export failed")),
                    Cursor { done: true, ..c },
                ))
            }
        }
    });
    Body::from_bytes_stream(s)
}

#[cfg(test)]
mod tests {
    use super::{AuditEvent, AuditPage, ExportEvent, csv_cell};
    use poem_openapi::types::ToJSON;

    fn event(full: bool) -> AuditEvent {
        let some = |v: &str| full.then(|| v.to_string());
        AuditEvent {
            id: 7,
            time: "2026-12-06T10:11:12.345678Z".parse().unwrap(),
            actor_kind: "user".into(),
            actor_id: some("u1"),
            actor_name: some("alice"),
            source_ip: some("10.0.0.1"),
            user_agent: some("curl/8"),
            action: "user.create".into(),
            target_kind: some("user"),
            target_id: some("u2"),
            target_name: some("bob \"the\" builder"),
            outcome: "success".into(),
            details: serde_json::json!({"role": "viewer", "n": [1, 2]}),
            hash: "ab".repeat(32),
        }
    }

    /// The list is written by serde (`SerdeJson`); it must say what poem's `Json` would.
    #[test]
    fn the_list_written_by_serde_is_what_poem_writes() {
        for full in [true, false] {
            let page = AuditPage {
                items: vec![event(full), event(!full)],
                next_before: full.then_some(6),
            };
            assert_eq!(serde_json::to_value(&page).unwrap(), page.to_json().unwrap(), "{full}");
        }
    }

    /// The export keeps its `Z` times and otherwise says what the list says.
    #[test]
    fn the_export_writes_the_list_fields_with_z_times() {
        for full in [true, false] {
            let ev = event(full);
            let mut exported = serde_json::to_value(ExportEvent(&ev)).unwrap();
            assert_eq!(exported["time"], "2026-12-06T10:11:12.345678Z");
            let mut listed = serde_json::to_value(&ev).unwrap();
            assert_eq!(listed["time"], "2026-12-06T10:11:12.345678+00:00");
            exported["time"] = serde_json::Value::Null;
            listed["time"] = serde_json::Value::Null;
            assert_eq!(exported, listed, "{full}");
        }
    }

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
    }
}

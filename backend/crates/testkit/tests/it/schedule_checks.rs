//! What a schedule may add to its backups and what is checked before they run, through the
//! real server: hooks (admins only, sealed at rest, sent to the agent, audited without
//! their commands), extra restic options from the allow-list, the server's preflight
//! findings and the state they give, a blocked schedule held back from its agent and from
//! "Run now", and the agent's preflight asked and kept. The agent side runs against real
//! processes and restic in the agent crate's tests.

use cairn_testkit::{Db, OneHost, PASSWORD, db_tests, error_code, error_field};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

type Fixture = OneHost;

const PRE: &str = "pg_dump app > /var/backups/app.sql # token=s3cr3t";

fn schedule(paths: &[&str], repo: Uuid) -> Value {
    json!({
        "name": "nightly",
        "repository_id": repo,
        "cron": "0 3 * * *",
        "backup": { "paths": paths, "extra_options": ["--exclude-caches", "--exclude-larger-than=2G"] },
    })
}

async fn create(f: &Fixture, body: Value) -> reqwest::Response {
    f.admin.post(&format!("/api/v1/hosts/{}/schedules", f.host), body).await
}

async fn hooks_are_for_admins_sealed_and_sent_to_the_agent(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    f.app.create_user(&f.admin, "op", "operator").await;
    let op = f.app.login("op", PASSWORD).await;
    let hooks = json!({ "pre": { "command": PRE, "timeout_secs": 600 },
                        "post": { "command": "logger cairn $CAIRN_JOB_STATUS", "timeout_secs": 30 } });
    let mut body = schedule(&["/var/backups"], f.repo);
    body["hooks"] = hooks.clone();

    // An operator may not set them.
    let r = op.post(&format!("/api/v1/hosts/{}/schedules", f.host), body.clone()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A hook that cannot run is refused, naming it.
    let mut bad = body.clone();
    bad["hooks"]["post"]["timeout_secs"] = json!(0);
    assert_eq!(
        error_field(create(&f, bad).await).await,
        ("schedule.invalid_hook".into(), Some("hooks.post".into()))
    );

    let r = create(&f, body.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    let id = s["id"].as_str().unwrap().to_string();
    assert_eq!((s["has_hooks"].clone(), s["hooks"].clone()), (json!(true), hooks.clone()));
    assert_eq!(
        s["backup"]["extra_options"],
        json!(["--exclude-caches", "--exclude-larger-than=2G"])
    );

    // Sealed at rest: the command is not in the database.
    let state = f.app.state();
    let row = cairn_server::store::schedules::find(state.store.db(), id.parse().unwrap())
        .await
        .unwrap()
        .expect("stored");
    let sealed = row.hooks_enc.expect("sealed hooks");
    assert!(!sealed.contains("pg_dump") && !sealed.contains("s3cr3t"), "{sealed}");

    // The agent gets them in its config.
    let config = f.agent.poll_ok(0).await.config.expect("config");
    let sent = &config.schedules[0];
    assert_eq!(
        sent.hooks.pre.as_ref().map(|h| (h.command.as_str(), h.timeout_secs)),
        Some((PRE, 600))
    );
    assert_eq!(sent.backup.extra_options, vec!["--exclude-caches", "--exclude-larger-than=2G"]);

    // An operator sees that there are hooks, not what they are, and may edit the rest
    // (leaving `hooks` out keeps them).
    let seen: Value = op.get(&format!("/api/v1/schedules/{id}")).await.json().await.unwrap();
    assert_eq!((seen["has_hooks"].clone(), seen.get("hooks")), (json!(true), None));
    let list: Value =
        op.get(&format!("/api/v1/hosts/{}/schedules", f.host)).await.json().await.unwrap();
    assert!(list["items"][0].get("hooks").is_none(), "{list}");
    let mut edit = schedule(&["/var/backups", "/etc"], f.repo);
    edit["name"] = json!("nightly");
    let r = op.put_json(&format!("/api/v1/schedules/{id}"), edit.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let got: Value = f.admin.get(&format!("/api/v1/schedules/{id}")).await.json().await.unwrap();
    assert_eq!(got["hooks"], hooks, "kept");
    assert_eq!(got["backup"]["paths"], json!(["/var/backups", "/etc"]));
    edit["hooks"] = json!({});
    let r = op.put_json(&format!("/api/v1/schedules/{id}"), edit.clone()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // An admin removes them with `{}`.
    let r = f.admin.put_json(&format!("/api/v1/schedules/{id}"), edit).await;
    let got: Value = r.json().await.unwrap();
    assert_eq!((got["has_hooks"].clone(), got.get("hooks")), (json!(false), None));

    // The audit log says which hooks were set and that they changed, never the commands.
    let audit: Value = f.admin.get("/api/v1/audit?action=schedule.").await.json().await.unwrap();
    let text = audit.to_string();
    assert!(!text.contains("pg_dump") && !text.contains("s3cr3t"), "{text}");
    let items = audit["items"].as_array().unwrap();
    assert_eq!(items[0]["details"]["hooks"], json!({ "pre": false, "post": false }));
    assert_eq!(items[0]["details"]["hooks_changed"], true);
    assert_eq!(items[1]["details"]["hooks_changed"], false, "the operator's edit kept them");
    assert_eq!(items[2]["details"]["hooks"], json!({ "pre": true, "post": true }));
}

/// A host's default hooks: admins only, sealed, audited without their text; each of the
/// host's schedules runs its own hook in a slot it sets and the host's default in the
/// others; `{}` removes them.
async fn host_default_hooks_fill_the_slots_a_schedule_leaves(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    f.app.create_user(&f.admin, "op", "operator").await;
    let op = f.app.login("op", PASSWORD).await;
    let path = format!("/api/v1/hosts/{}/hooks", f.host);
    let defaults = json!({ "pre": { "command": PRE, "timeout_secs": 600 },
                           "post": { "command": "logger host-default", "timeout_secs": 30 } });
    assert_eq!(op.put_json(&path, defaults.clone()).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(op.get(&path).await.status(), StatusCode::FORBIDDEN);
    let mut bad = defaults.clone();
    bad["pre"]["command"] = json!("   ");
    bad["post"]["timeout_secs"] = json!(0);
    assert_eq!(
        error_field(f.admin.put_json(&path, bad).await).await,
        ("schedule.invalid_hook".into(), Some("hooks.post".into()))
    );
    let r = f.admin.put_json(&path, defaults.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), defaults);
    assert_eq!(f.admin.get(&path).await.json::<Value>().await.unwrap(), defaults);
    let r = f.admin.get(&format!("/api/v1/hosts/{}/hooks", Uuid::new_v4())).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Two schedules: one with no hooks of its own, one with its own post-hook.
    assert_eq!(create(&f, schedule(&["/srv"], f.repo)).await.status(), StatusCode::CREATED);
    let mut own = schedule(&["/etc"], f.repo);
    own["name"] = json!("config");
    own["hooks"] = json!({ "post": { "command": "logger own-post", "timeout_secs": 5 } });
    assert_eq!(create(&f, own).await.status(), StatusCode::CREATED);
    let config = f.agent.poll_ok(0).await.config.expect("config");
    let hooks_of = |name: &str| {
        let s = config.schedules.iter().find(|s| s.name == name).unwrap();
        (
            s.hooks.pre.as_ref().map(|h| h.command.clone()),
            s.hooks.post.as_ref().map(|h| h.command.clone()),
        )
    };
    assert_eq!(hooks_of("nightly"), (Some(PRE.into()), Some("logger host-default".into())));
    assert_eq!(hooks_of("config"), (Some(PRE.into()), Some("logger own-post".into())));

    // Sealed at rest; audited as which hooks, never what.
    let state = f.app.state();
    let sealed = cairn_server::store::hosts::default_hooks(state.store.db(), f.host)
        .await
        .unwrap()
        .expect("stored");
    assert!(!sealed.contains("pg_dump") && !sealed.contains("s3cr3t"), "{sealed}");
    let audit: Value =
        f.admin.get("/api/v1/audit?action=host.set_hooks").await.json().await.unwrap();
    assert!(!audit.to_string().contains("s3cr3t"), "{audit}");
    assert_eq!(audit["items"][0]["details"]["hooks"], json!({ "pre": true, "post": true }));

    // Removed: the schedules keep only their own.
    let r = f.admin.put_json(&path, json!({})).await;
    assert_eq!(r.json::<Value>().await.unwrap(), json!({}));
    let config = f.agent.poll_ok(config.version).await.config.expect("a new config");
    let s = config.schedules.iter().find(|s| s.name == "config").unwrap();
    assert!(s.hooks.pre.is_none());
    assert_eq!(s.hooks.post.as_ref().map(|h| h.command.as_str()), Some("logger own-post"));
    assert!(config.schedules.iter().find(|s| s.name == "nightly").unwrap().hooks.is_empty());
}

async fn options_off_the_allow_list_are_refused(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    for bad in
        ["--password-command=cat /etc/shadow", "--repo=/tmp/other", "--exclude-larger-than=lots"]
    {
        let mut body = schedule(&["/srv"], f.repo);
        body["backup"]["extra_options"] = json!([bad]);
        let r = create(&f, body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(
            (e["code"].as_str(), e["details"]["field"].as_str()),
            (Some("schedule.invalid_backup"), Some("extra_options")),
            "{bad}"
        );
    }
    // The list the editor offers.
    let list: Value = f.admin.get("/api/v1/backup-options").await.json().await.unwrap();
    let larger = list.as_array().unwrap().iter().find(|o| o["name"] == "--exclude-larger-than");
    assert_eq!(larger.map(|o| o["value"].clone()), Some(json!("size")));
    assert!(list.as_array().unwrap().iter().all(|o| o["name"] != "--password-command"));
}

/// The server's findings: excludes that leave nothing block (the agent is told not to fire
/// it, "Run now" is refused); `/` without its system excludes and a second schedule over
/// the same paths warn.
async fn the_server_finds_dangerous_settings_and_holds_blocked_schedules(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    let mut body = schedule(&["/srv/app"], f.repo);
    body["backup"]["excludes"] = json!(["/srv/**"]);
    let s: Value = create(&f, body).await.json().await.unwrap();
    let id = s["id"].as_str().unwrap().to_string();
    assert_eq!(s["state"], "blocked");
    assert_eq!(s["findings"][0]["code"], "backup.excludes_everything");
    let config = f.agent.poll_ok(0).await.config.expect("config");
    let reason = config.schedules[0].blocked_by.clone().expect("held back from the agent");
    assert!(reason.contains("leave out every path"), "{reason}");
    let r = f.admin.post(&format!("/api/v1/schedules/{id}/run"), json!({})).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(r).await, "schedule.blocked");

    // Fixed: ready, and the agent may fire it again.
    let fixed = schedule(&["/srv/app"], f.repo);
    let s: Value =
        f.admin.put_json(&format!("/api/v1/schedules/{id}"), fixed).await.json().await.unwrap();
    assert_eq!((s["state"].as_str(), s["findings"].clone()), (Some("ready"), json!([])));
    let config = f.agent.poll_ok(0).await.config.expect("config");
    assert_eq!(config.schedules[0].blocked_by, None);

    // `/` backed up with /proc … left in, and over the first schedule's paths: warnings.
    let mut root = schedule(&["/"], f.repo);
    root["name"] = json!("everything");
    root["backup"]["excludes"] = json!(["/proc", "/sys"]);
    root["enabled"] = json!(false);
    let s: Value = create(&f, root).await.json().await.unwrap();
    assert_eq!(s["state"], "warning");
    let codes: Vec<&str> =
        s["findings"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(
        codes,
        vec!["backup.root_without_system_excludes", "schedule.disabled", "schedule.overlap"]
    );
    let msg = s["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("/dev, /run, /tmp") && !msg.contains("/proc"), "{msg}");
    // The first one sees the overlap too.
    let first: Value = f.admin.get(&format!("/api/v1/schedules/{id}")).await.json().await.unwrap();
    assert_eq!(first["findings"][0]["code"], "schedule.overlap");
}

/// A draft is checked by the server and asked of the agent, which answers with its
/// findings and the command it would run; a stored schedule's check keeps the agent's
/// findings, and so does the end of its run. An agent that cannot answer is a finding.
async fn the_agents_preflight_is_asked_and_kept(db: Db) {
    let f = OneHost::new(db, "db-1").await;
    let path = format!("/api/v1/hosts/{}/schedules/preflight", f.host);
    let mut draft = schedule(&["/srv/app", "/srv/missing"], f.repo);
    draft["hooks"] = json!({ "pre": { "command": "/usr/local/bin/freeze", "timeout_secs": 60 } });
    // Refused as saving it would be, before the agent is asked.
    let mut bad = draft.clone();
    bad["cron"] = json!("every day");
    let r = f.admin.post(&path, json!({ "schedule": bad })).await;
    assert_eq!(error_code(r).await, "schedule.invalid_cron");

    let (admin, p, d) = (f.admin.clone(), path.clone(), draft.clone());
    let pending = tokio::spawn(async move { admin.post(&p, json!({ "schedule": d })).await });
    let ask = f.next_question().await;
    let q = &ask["action"]["question"];
    assert_eq!(
        (q["kind"].as_str(), q["repository_id"].clone()),
        (Some("preflight"), json!(f.repo))
    );
    assert_eq!(
        q["backup"]["extra_options"],
        json!(["--exclude-caches", "--exclude-larger-than=2G"])
    );
    assert_eq!(q["hooks"]["pre"]["command"], "/usr/local/bin/freeze");
    let answer = json!({ "kind": "preflight", "restic_version": "0.16.4",
        "findings": [{ "code": "path.missing", "severity": "blocked",
                       "message": "/srv/missing does not exist on db-1." }],
        "command": ["/usr/bin/restic", "--json", "backup", "--exclude-caches", "--", "/srv/app"],
        "env": ["RESTIC_REPOSITORY=/srv/restic", "RESTIC_PASSWORD=***"] });
    let r = f.agent.answer(ask["id"].as_str().unwrap().parse().unwrap(), answer).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = pending.await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        (report["state"].as_str(), report["agent_checked"].as_bool()),
        (Some("blocked"), Some(true))
    );
    assert_eq!(report["findings"][0]["code"], "path.missing");
    assert_eq!(report["command"][2], "backup");
    assert_eq!(report["env"][1], "RESTIC_PASSWORD=***");
    // Nothing stored.
    let list: Value =
        f.admin.get(&format!("/api/v1/hosts/{}/schedules", f.host)).await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));

    // Stored, then checked: the agent's findings are kept on the schedule.
    let s: Value = create(&f, draft).await.json().await.unwrap();
    let id = s["id"].as_str().unwrap().to_string();
    assert_eq!(s["state"], "ready", "nothing known of the agent yet");
    let (admin, p) = (f.admin.clone(), format!("/api/v1/schedules/{id}/preflight"));
    let pending = tokio::spawn(async move { admin.post(&p, json!({})).await });
    let ask = f.next_question().await;
    let warn = json!({ "kind": "preflight", "restic_version": "0.16.4", "command": [], "env": [],
        "findings": [{ "code": "cache.low_disk", "severity": "warning", "message": "Low disk." }] });
    f.agent.answer(ask["id"].as_str().unwrap().parse().unwrap(), warn).await;
    let report: Value = pending.await.unwrap().json().await.unwrap();
    assert_eq!(report["state"], "warning");
    let s: Value = f.admin.get(&format!("/api/v1/schedules/{id}")).await.json().await.unwrap();
    assert_eq!(
        (s["state"].as_str(), s["findings"][0]["code"].as_str()),
        (Some("warning"), Some("cache.low_disk"))
    );
    assert!(s["agent_checked_at"].is_string(), "{s}");

    // A run's findings replace them when it ends.
    let run: Value =
        f.admin.post(&format!("/api/v1/schedules/{id}/run"), json!({})).await.json().await.unwrap();
    let at = chrono::Utc::now();
    let events = json!([
        { "seq": 1, "at": at, "kind": "started" },
        { "seq": 2, "at": at, "kind": "finished", "result": { "outcome": "blocked",
          "error_class": "preflight.failed", "message": "/srv/missing does not exist on db-1.",
          "findings": [{ "code": "path.missing", "severity": "blocked",
                         "message": "/srv/missing does not exist on db-1." }] } },
    ]);
    let r = f.agent.send_events(run["id"].as_str().unwrap().parse().unwrap(), events).await;
    assert_eq!(r.status(), StatusCode::OK);
    let s: Value = f.admin.get(&format!("/api/v1/schedules/{id}")).await.json().await.unwrap();
    assert_eq!(
        (s["state"].as_str(), s["findings"][0]["code"].as_str()),
        (Some("blocked"), Some("path.missing"))
    );
    assert_eq!(s["last_run"]["status"], "blocked");
    // The agent-side block does not hold the schedule back: the agent checks each run.
    let config = f.agent.poll_ok(0).await.config.expect("config");
    assert_eq!(config.schedules[0].blocked_by, None);

    // The agent refusing to check is a finding, with the server's own still shown.
    let (admin, p) = (f.admin.clone(), format!("/api/v1/schedules/{id}/preflight"));
    let pending = tokio::spawn(async move { admin.post(&p, json!({})).await });
    let ask = f.next_question().await;
    let failed = json!({ "kind": "failed", "error_class": "agent.unknown_repository",
                         "message": "not in this agent's config yet" });
    f.agent.answer(ask["id"].as_str().unwrap().parse().unwrap(), failed).await;
    let report: Value = pending.await.unwrap().json().await.unwrap();
    assert_eq!((report["agent_checked"].as_bool(), report.get("command")), (Some(false), None));
    assert_eq!(report["findings"][0]["code"], "agent.not_checked");
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("not in this agent's config yet"), "{msg}");
}

db_tests!(
    hooks_are_for_admins_sealed_and_sent_to_the_agent,
    host_default_hooks_fill_the_slots_a_schedule_leaves,
    options_off_the_allow_list_are_refused,
    the_server_finds_dangerous_settings_and_holds_blocked_schedules,
    the_agents_preflight_is_asked_and_kept
);

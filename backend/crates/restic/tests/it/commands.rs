//! Every typed command against the real restic binary and real repositories in temp dirs.

use crate::common::{self, Fixture};
use cairn_restic::{
    CheckOptions, Event, ForgetOptions, LsOptions, PruneOptions, Repo, RestoreOptions,
    RetentionPolicy, RunControl, RunStatus, SnapshotFilter, StatsMode, StatsOptions, Summary,
};

#[tokio::test]
async fn detect_reports_the_installed_version() {
    let restic = cairn_restic::Restic::detect(common::restic_path()).await.unwrap();
    let v = restic.version();
    assert!(v >= cairn_restic::MIN_SUPPORTED, "{v}");
    assert!(restic.version_info().raw.starts_with("restic "));
    let missing = cairn_restic::Restic::detect("/nonexistent/restic").await.unwrap_err();
    assert_eq!(missing.code(), "restic.not_runnable");
}

#[tokio::test]
async fn backup_then_snapshots_and_ls() {
    let f = Fixture::new().await;
    let (out, events) = f.backup().await;
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
    assert_eq!(out.exit_code, Some(0));
    let s = out.backup_summary().expect("summary parsed");
    assert_eq!(s.files_new, 3);
    assert_eq!(s.total_files_processed, 3);
    let snap_id = s.snapshot_id.clone().expect("snapshot id");

    assert!(matches!(events.first(), Some(Event::Started { pid }) if *pid == out.pid));
    let progress = events.iter().filter(|e| matches!(e, Event::Progress(_))).count();
    assert!(progress >= 1, "at least the final status is forwarded: {events:?}");
    assert!(progress as u64 <= out.status_lines);
    assert!(
        !events.iter().any(|e| matches!(e, Event::Log { line, .. } if line.contains("\"status\""))),
        "status lines never appear as logs"
    );

    let snaps = f.restic.snapshots(&f.repo, &SnapshotFilter::host("testhost")).await.unwrap();
    assert_eq!(snaps.len(), 1);
    let snap = &snaps[0];
    assert!(snap.id.starts_with(&snap_id), "{} vs {snap_id}", snap.id);
    assert_eq!(snap.hostname, "testhost");
    assert_eq!(snap.tags, vec!["nightly"]);
    assert_eq!(snap.paths, vec![f.data.to_string_lossy().into_owned()]);
    assert!(f.restic.snapshots(&f.repo, &SnapshotFilter::host("other")).await.unwrap().is_empty());

    let listing = f
        .restic
        .ls(&f.repo, &LsOptions { snapshot: snap_id.clone(), dir: None, recursive: false })
        .await
        .unwrap();
    assert!(listing.snapshot.is_some());
    let files: Vec<&str> =
        listing.nodes.iter().filter(|n| n.node_type == "file").map(|n| n.name.as_str()).collect();
    assert_eq!(files, ["a.txt", "b.txt", "c.txt"]);
    let b = listing.nodes.iter().find(|n| n.name == "b.txt").unwrap();
    assert_eq!(b.size, Some(12));
}

#[tokio::test]
async fn forget_preview_gives_reasons_then_forget_and_prune_apply() {
    let f = Fixture::new().await;
    for i in 0..3 {
        std::fs::write(f.data.join(format!("new{i}.txt")), format!("{i}")).unwrap();
        let (out, _) = f.backup().await;
        assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
    }
    let opts = ForgetOptions {
        policy: RetentionPolicy { keep_last: Some(1), ..Default::default() },
        ..Default::default()
    };
    let groups = f.restic.forget_preview(&f.repo, &opts).await.unwrap();
    assert_eq!(groups.len(), 1);
    let g = &groups[0];
    assert_eq!(g.host, "testhost");
    assert_eq!(g.keep.len(), 1);
    assert_eq!(g.remove.len(), 2);
    let reasons = g.reasons_for(&g.keep[0].id).expect("reason for the kept snapshot");
    assert!(reasons.iter().any(|r| r == "last snapshot"), "{reasons:?}");
    assert_eq!(f.snapshot_count().await, 3, "a dry run removes nothing");

    // The streaming forget really removes; prune then reclaims.
    let opts = ForgetOptions {
        policy: RetentionPolicy { keep_last: Some(2), ..Default::default() },
        ..Default::default()
    };
    let out = f.restic.forget(&f.repo, &opts, RunControl::default()).await.unwrap();
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
    let groups = out.forget_groups().expect("forget groups parsed");
    assert_eq!((groups[0].keep.len(), groups[0].remove.len()), (2, 1));
    assert_eq!(f.snapshot_count().await, 2);

    let out =
        f.restic.prune(&f.repo, &PruneOptions::default(), RunControl::default()).await.unwrap();
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
}

#[tokio::test]
async fn stats_diff_restore_dump_config_and_check() {
    let f = Fixture::new().await;
    let (first, _) = f.backup().await;
    let first_id = first.backup_summary().unwrap().snapshot_id.clone().unwrap();
    std::fs::write(f.data.join("d.txt"), "delta\n").unwrap();
    std::fs::remove_file(f.data.join("a.txt")).unwrap();
    let (second, _) = f.backup().await;
    let second_id = second.backup_summary().unwrap().snapshot_id.clone().unwrap();

    let stats = f.restic.stats(&f.repo, &StatsOptions::default()).await.unwrap();
    assert_eq!(stats.snapshots_count, 2);
    assert!(stats.total_size > 0);
    let raw = f
        .restic
        .stats(&f.repo, &StatsOptions { mode: StatsMode::RawData, ..Default::default() })
        .await
        .unwrap();
    assert!(raw.total_blob_count.unwrap_or_default() > 0, "{raw:?}");

    let diff = f.restic.diff(&f.repo, &first_id, &second_id).await.unwrap();
    let changed: Vec<(String, String)> = diff
        .changes
        .iter()
        .map(|c| (c.path.rsplit('/').next().unwrap().to_owned(), c.modifier.clone()))
        .collect();
    assert!(changed.contains(&("d.txt".into(), "+".into())), "{changed:?}");
    assert!(changed.contains(&("a.txt".into(), "-".into())), "{changed:?}");
    let st = diff.statistics.expect("statistics");
    assert_eq!((st.added.files, st.removed.files), (1, 1));

    let target = f.path("restored");
    let out = f
        .restic
        .restore(&f.repo, &RestoreOptions::new(&second_id, &target), RunControl::default())
        .await
        .unwrap();
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
    if let Some(Summary::Restore(s)) = &out.summary {
        assert!(s.files_restored >= 3, "{s:?}");
    }
    // restic recreates the absolute source path below the target.
    let restored = target.join(f.data.strip_prefix("/").unwrap());
    assert_eq!(std::fs::read_to_string(restored.join("b.txt")).unwrap(), "bravo bravo\n");
    assert_eq!(std::fs::read_to_string(restored.join("d.txt")).unwrap(), "delta\n");
    assert_eq!(std::fs::read_to_string(restored.join("sub/c.txt")).unwrap(), "charlie\n");
    assert!(!restored.join("a.txt").exists());

    let path_in_snapshot = listing_path(&f, &second_id, "b.txt").await;
    let bytes = f.restic.dump(&f.repo, &second_id, &path_in_snapshot).await.unwrap();
    assert_eq!(bytes, b"bravo bravo\n");

    let cfg = f.restic.cat_config(&f.repo).await.unwrap();
    assert_eq!(cfg.id.len(), 64);
    assert!(cfg.version >= 1);

    let out =
        f.restic.check(&f.repo, &CheckOptions::default(), RunControl::default()).await.unwrap();
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
    let out = f
        .restic
        .check(
            &f.repo,
            &CheckOptions { read_data_subset: Some("1/1".into()), ..Default::default() },
            RunControl::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
}

/// The path of `name` inside the snapshot, as restic names it (it differs between releases).
async fn listing_path(f: &Fixture, snapshot: &str, name: &str) -> String {
    let listing = f
        .restic
        .ls(&f.repo, &LsOptions { snapshot: snapshot.into(), dir: None, recursive: false })
        .await
        .unwrap();
    listing.nodes.into_iter().find(|n| n.name == name).expect("file in listing").path
}

#[tokio::test]
async fn paths_starting_with_a_dash_are_backed_up_as_paths() {
    let f = Fixture::new().await;
    let odd = f.path("-rf");
    std::fs::create_dir_all(&odd).unwrap();
    std::fs::write(odd.join("-n"), "dash\n").unwrap();
    // A relative "-rf" as restic sees it from the fixture dir would be the dangerous case; the
    // argv puts it after "--", so restic must treat it as a path either way.
    let opts = cairn_restic::BackupOptions {
        tags: vec!["-t".into()],
        excludes: vec!["-nomatch".into()],
        ..cairn_restic::BackupOptions::new([&odd])
    };
    let out = f.restic.backup(&f.repo, &opts, RunControl::default()).await.unwrap();
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
    assert_eq!(out.backup_summary().unwrap().files_new, 1);
    let snaps = f.restic.snapshots(&f.repo, &SnapshotFilter::default()).await.unwrap();
    assert_eq!(snaps[0].tags, vec!["-t"]);
    assert_eq!(snaps[0].excludes, vec!["-nomatch"]);
}

#[tokio::test]
async fn progress_of_a_real_backup_is_coalesced_to_two_per_second() {
    let f = Fixture::new().await;
    let big = common::big_dir(&f.path("big"), 4, 25);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let out = f
        .restic
        .backup(
            &f.repo,
            &cairn_restic::BackupOptions::new([big]),
            RunControl::default().with_events(tx),
        )
        .await
        .unwrap();
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
    let mut last = None;
    let mut count = 0u64;
    while let Ok(ev) = rx.try_recv() {
        if let Event::Progress(p) = ev {
            count += 1;
            last = Some(p);
        }
    }
    let secs = out.duration.as_secs_f64();
    println!("{} status lines → {count} progress events in {secs:.1} s", out.status_lines);
    assert_eq!(count, out.progress_events);
    // First at once, then ≤ 1 per 500 ms, plus the final state.
    assert!((count as f64) <= 2.0 * secs + 2.0, "{count} events in {secs:.1} s");
    assert!(out.status_lines >= count);
    // The final forwarded state is restic's last status line.
    assert_eq!(last, out.last_progress);
}

#[tokio::test]
async fn copy_fills_a_mirror_once_and_the_mirror_state_says_so() {
    let f = Fixture::new().await;
    for i in 0..2 {
        std::fs::write(f.data.join(format!("new{i}.txt")), format!("{i}")).unwrap();
        let (out, _) = f.backup().await;
        assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
    }
    let mirror = Repo::new(f.path("mirror").to_string_lossy(), "another password");
    f.restic.init(&mirror).await.unwrap();
    let scope = SnapshotFilter::host("testhost");

    let out = f.restic.copy(&mirror, &f.repo, &scope, RunControl::default()).await.unwrap();
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
    let source = f.restic.snapshots(&f.repo, &scope).await.unwrap();
    let copied = f.restic.snapshots(&mirror, &SnapshotFilter::default()).await.unwrap();
    assert_eq!(copied.len(), 2);
    assert!(copied.iter().all(|c| source.iter().any(|s| c.original.as_deref() == Some(&s.id))));
    let state = cairn_restic::mirror_state(&source, &copied);
    assert_eq!((state.source, state.held, state.missing()), (2, 2, 0));
    assert_eq!(state.copied_newest, source.iter().map(|s| s.time).max());

    // A second copy moves nothing; a new backup makes the mirror one behind until copied.
    f.restic.copy(&mirror, &f.repo, &scope, RunControl::default()).await.unwrap();
    assert_eq!(f.restic.snapshots(&mirror, &SnapshotFilter::default()).await.unwrap().len(), 2);
    std::fs::write(f.data.join("later.txt"), "later").unwrap();
    f.backup().await;
    let source = f.restic.snapshots(&f.repo, &scope).await.unwrap();
    let state = cairn_restic::mirror_state(&source, &copied);
    assert_eq!(state.missing(), 1);
    assert!(state.copied_newest < state.source_newest);

    // Backend variables that disagree cannot share restic's one environment.
    let a = f.repo.clone().with_env("AWS_ACCESS_KEY_ID", "one");
    let b = mirror.clone().with_env("AWS_ACCESS_KEY_ID", "two");
    let err = f.restic.copy(&b, &a, &scope, RunControl::default()).await.unwrap_err();
    assert_eq!(err.code(), "restic.invalid_argument", "{err}");
}

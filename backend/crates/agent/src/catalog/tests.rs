use chrono::{TimeZone, Utc};

use super::*;

fn meta(kind: Kind, size: u64, mtime: i64) -> Meta {
    Meta { kind, size, mtime_ns: mtime, mode: 0o644, uid: 1000, gid: 1000 }
}

fn file(path: &str, size: u64, mtime: i64) -> Node {
    Node { path: path.into(), meta: meta(Kind::File, size, mtime) }
}

fn dir(path: &str) -> Node {
    Node { path: path.into(), meta: meta(Kind::Dir, 0, 1) }
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, 3, 0, 0).single().unwrap_or_default()
}

/// s1: /etc/nginx/nginx.conf v1, /srv/a; s2: the conf changed, /srv/a unchanged, /srv/b
/// new; s3: the conf back to v1, /srv/a deleted.
fn three() -> Catalog {
    let mut c = Catalog::default();
    let base = || vec![dir("/etc"), dir("/etc/nginx"), dir("/srv"), dir("/srv/empty")];
    let mut s1 = base();
    s1.extend([file("/etc/nginx/nginx.conf", 10, 100), file("/srv/a", 5, 50)]);
    let mut s2 = base();
    s2.extend([
        file("/srv/b", 7, 70),
        file("/etc/nginx/nginx.conf", 12, 200),
        file("/srv/a", 5, 50),
    ]);
    let mut s3 = base();
    s3.extend([file("/etc/nginx/nginx.conf", 10, 100), file("/srv/b", 7, 70)]);
    c.add("s1", at(1), s1);
    c.add("s2", at(2), s2);
    c.add("s3", at(3), s3);
    c
}

fn names(l: Option<Vec<Listed>>) -> Vec<String> {
    l.unwrap_or_default().into_iter().map(|e| e.name).collect()
}

#[test]
fn each_snapshot_lists_its_own_directory() {
    let c = three();
    assert_eq!(names(c.list("s1", "/srv")), ["a", "empty"]);
    assert_eq!(names(c.list("s2", "/srv")), ["a", "b", "empty"]);
    assert_eq!(names(c.list("s3", "/srv")), ["b", "empty"]);
    assert_eq!(names(c.list("s3", "/")), ["etc", "srv"]);
    let conf =
        |s: &str| c.list(s, "/etc/nginx").and_then(|l| l.into_iter().next()).map(|e| e.meta.size);
    assert_eq!((conf("s1"), conf("s2"), conf("s3")), (Some(10), Some(12), Some(10)));
    assert_eq!(
        c.list("s1", "/srv/empty"),
        Some(vec![]),
        "an empty directory is empty, not missing"
    );
    assert_eq!(c.list("s1", "/srv/a"), None, "a file is not a directory");
    assert_eq!(c.list("s1", "/nowhere"), None);
    assert_eq!(c.list("s9", "/"), None, "a snapshot not in the catalog");
}

#[test]
fn unchanged_paths_are_stored_once() {
    let c = three();
    // 4 dirs (one version each) + conf (2 versions) + a (1) + b (1).
    assert_eq!(c.versions(), 4 + 2 + 1 + 1);
    let conf = c.entries.iter().find(|e| e.name == "nginx.conf").map(|e| e.versions.clone());
    let conf = conf.unwrap_or_default();
    assert_eq!(conf[0].ranges, vec![(0, 1), (2, 3)], "v1 in s1 and s3, not s2");
    let etc = c.entries.iter().find(|e| e.name == "etc").map(|e| e.versions[0].ranges.clone());
    assert_eq!(etc, Some(vec![(0, 3)]));
}

#[test]
fn forgotten_snapshots_leave_nothing_behind() {
    let mut c = three();
    assert_eq!(c.retain(&["s1".into(), "s3".into()]), 1);
    assert_eq!(c.list("s2", "/srv"), None);
    assert_eq!(names(c.list("s1", "/srv")), ["a", "empty"]);
    assert_eq!(c.versions(), 4 + 1 + 1 + 1, "the conf's s2 version is gone");
    // With s2 gone, v1 of the conf was unchanged from s1 to s3, and a new snapshot that
    // still has it extends the same range.
    let mut s4 = vec![dir("/etc"), dir("/etc/nginx")];
    s4.push(file("/etc/nginx/nginx.conf", 10, 100));
    c.add("s4", at(4), s4);
    let conf =
        c.entries.iter().find(|e| e.name == "nginx.conf").map(|e| e.versions[0].ranges.clone());
    assert_eq!(conf, Some(vec![(0, 1), (2, 4)]));
    assert_eq!(c.retain(&["s4".into()]), 2);
    assert_eq!(names(c.list("s4", "/")), ["etc"]);
    assert!(
        c.search("a", None, 10).is_some_and(|(h, _)| h.iter().all(|h| !h.path.starts_with("/srv")))
    );
    assert_eq!(c.retain(&[]), 1);
    assert_eq!((c.versions(), c.dirs.len()), (0, 0));
}

#[test]
fn search_finds_every_version_across_snapshots() {
    let c = three();
    let Some((hits, more)) = c.search("nginx.conf", None, 100) else { panic!("no catalog") };
    assert!(!more);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].path, "/etc/nginx/nginx.conf");
    let v: Vec<(u64, Vec<String>)> =
        hits[0].versions.iter().map(|(m, s)| (m.size, s.clone())).collect();
    assert_eq!(v, vec![(10, vec!["s1".into(), "s3".into()]), (12, vec!["s2".into()])]);
    let only = c.search("*.conf", Some("s2"), 100).map(|(h, _)| h[0].versions.len());
    assert_eq!(only, Some(1));
    assert_eq!(c.search("/srv/?", None, 100).map(|(h, _)| h.len()), Some(2));
    let (cut, more) = c.search("", None, 3).unwrap_or_default();
    assert_eq!((cut.len(), more), (3, true));
    assert!(c.search("x", Some("nope"), 10).is_none());
}

#[test]
fn a_path_is_looked_up_in_one_snapshot() {
    let c = three();
    let size = |s: &str, p: &str| c.lookup(s, p).map(|m| m.size);
    assert_eq!(size("s1", "/etc/nginx/nginx.conf"), Some(10));
    assert_eq!(size("s2", "/etc/nginx/nginx.conf"), Some(12));
    assert_eq!(size("s3", "/srv/a"), None, "deleted by s3");
    assert_eq!(size("s1", "/srv/b"), None, "not there yet");
    assert_eq!(c.lookup("s1", "/srv").map(|m| m.kind), Some(Kind::Dir));
    assert_eq!(size("s9", "/srv/a"), None);
}

#[test]
fn sizes_add_up_below_paths() {
    let c = three();
    assert_eq!(c.size_under("s2", &["/srv".into()]), Some((2, 12)));
    assert_eq!(c.size_under("s2", &["/sr".into()]), Some((0, 0)), "a prefix is not a parent");
    assert_eq!(c.size_under("s2", &["/".into()]), Some((3, 24)));
    assert_eq!(
        c.size_under("s1", &["/etc/nginx/nginx.conf".into(), "/srv/a".into()]),
        Some((2, 15))
    );
    assert_eq!(c.size_under("nope", &["/".into()]), None);
}

#[test]
fn adding_a_snapshot_twice_changes_nothing() {
    let mut c = three();
    let before = c.clone();
    c.add("s2", at(2), vec![file("/other", 1, 1)]);
    assert_eq!(c, before);
}

#[test]
fn the_file_round_trips_and_rejects_damage() {
    let c = three();
    let bytes = c.encode();
    assert_eq!(Catalog::decode(&bytes), Ok(c));
    for cut in 0..bytes.len() {
        assert!(Catalog::decode(&bytes[..cut]).is_err(), "a file cut at {cut} was accepted");
    }
    let mut bad = bytes.clone();
    bad[8] = 9;
    assert_eq!(Catalog::decode(&bad), Err(DecodeError::Format(9)));
    assert_eq!(Catalog::decode(b"something else"), Err(DecodeError::Magic));
}

#[test]
fn paths_split_and_normalise() {
    assert_eq!(split("/a/b/c"), Some(("/a/b", "c")));
    assert_eq!(split("/a"), Some(("/", "a")));
    assert_eq!(split("/"), None);
    assert_eq!(normalise_dir("/a//b/"), Some("/a/b".into()));
    assert_eq!(normalise_dir("/"), Some("/".into()));
    assert_eq!(normalise_dir("/a/../etc"), None);
    assert_eq!(normalise_dir("a/b"), None);
}

//! The snapshot catalog: every path of the indexed snapshots of one source host in one
//! repository, each distinct version of a path stored once with the snapshots that hold it,
//! so a directory opens and a search across all snapshots answers without running restic
//! (docs/decisions/0007-snapshot-catalog-on-the-agent.md).

mod codec;
mod glob;
pub mod store;

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

pub use codec::DecodeError;

/// What a path is, as restic names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Dev,
    CharDev,
    Fifo,
    Socket,
    Other,
}

impl Kind {
    pub fn parse(s: &str) -> Kind {
        match s {
            "file" => Kind::File,
            "dir" => Kind::Dir,
            "symlink" => Kind::Symlink,
            "dev" => Kind::Dev,
            "chardev" => Kind::CharDev,
            "fifo" => Kind::Fifo,
            "socket" => Kind::Socket,
            _ => Kind::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::File => "file",
            Kind::Dir => "dir",
            Kind::Symlink => "symlink",
            Kind::Dev => "dev",
            Kind::CharDev => "chardev",
            Kind::Fifo => "fifo",
            Kind::Socket => "socket",
            Kind::Other => "other",
        }
    }

    /// The wire name of the kind.
    pub fn wire(self) -> cairn_proto::EntryKind {
        use cairn_proto::EntryKind as W;
        match self {
            Kind::File => W::File,
            Kind::Dir => W::Dir,
            Kind::Symlink => W::Symlink,
            Kind::Dev => W::Dev,
            Kind::CharDev => W::Chardev,
            Kind::Fifo => W::Fifo,
            Kind::Socket => W::Socket,
            Kind::Other => W::Other,
        }
    }

    fn code(self) -> u8 {
        self as u8
    }

    fn from_code(c: u8) -> Option<Kind> {
        [
            Kind::File,
            Kind::Dir,
            Kind::Symlink,
            Kind::Dev,
            Kind::CharDev,
            Kind::Fifo,
            Kind::Socket,
            Kind::Other,
        ]
        .get(usize::from(c))
        .copied()
    }
}

/// A path's metadata in one or more snapshots. Two snapshots share a version when all of
/// it is equal, so an unchanged file costs one version however many snapshots hold it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Meta {
    pub kind: Kind,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Permission bits (the low 12 bits of restic's Go file mode).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

/// A snapshot whose paths are in the catalog, numbered in the order it was indexed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indexed {
    pub ord: u32,
    pub id: String,
    pub time: DateTime<Utc>,
    pub paths: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Version {
    meta: Meta,
    /// Half-open ranges of snapshot numbers. A range may span numbers of snapshots that
    /// were removed since: only numbers of snapshots still in `Catalog::snapshots` count,
    /// which keeps an unchanged file at one range through any forget.
    ranges: Vec<(u32, u32)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    dir: u32,
    name: String,
    versions: Vec<Version>,
}

/// One snapshot's path as `restic ls --json` gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub path: String,
    pub meta: Meta,
}

/// A directory's entry in one snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub meta: Meta,
}

/// A path that matched a search, with each distinct version and the snapshots holding it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub path: String,
    pub versions: Vec<(Meta, Vec<String>)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    snapshots: Vec<Indexed>,
    next_ord: u32,
    /// Directory paths, sorted; `Entry::dir` indexes into it.
    dirs: Vec<String>,
    /// Sorted by (directory path, name).
    entries: Vec<Entry>,
}

/// Splits `/a/b/c` into (`/a/b`, `c`) and `/a` into (`/`, `a`).
pub fn split(path: &str) -> Option<(&str, &str)> {
    let i = path.rfind('/')?;
    let name = &path[i + 1..];
    if name.is_empty() {
        return None;
    }
    Some((if i == 0 { "/" } else { &path[..i] }, name))
}

/// Joins a directory and a name back into a path.
fn join(dir: &str, name: &str) -> String {
    if dir == "/" { format!("/{name}") } else { format!("{dir}/{name}") }
}

/// Normalises a requested directory: absolute, no trailing slash, no empty, `.` or `..`
/// segments. `None` when it is not a plain absolute path.
pub fn normalise_dir(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if parts.iter().any(|p| *p == "." || *p == "..") {
        return None;
    }
    Some(format!("/{}", parts.join("/")))
}

impl Catalog {
    pub fn snapshots(&self) -> &[Indexed] {
        &self.snapshots
    }

    pub fn has(&self, snapshot: &str) -> bool {
        self.ord(snapshot).is_some()
    }

    /// Distinct (path, version) records: what the catalog stores.
    pub fn versions(&self) -> usize {
        self.entries.iter().map(|e| e.versions.len()).sum()
    }

    fn ord(&self, snapshot: &str) -> Option<u32> {
        self.snapshots.iter().find(|s| s.id == snapshot).map(|s| s.ord)
    }

    fn live(&self, ord: u32) -> bool {
        self.snapshots.binary_search_by_key(&ord, |s| s.ord).is_ok()
    }

    /// Adds a snapshot's paths (any order). Adding a snapshot that is already in the
    /// catalog changes nothing.
    pub fn add(&mut self, id: &str, time: DateTime<Utc>, nodes: Vec<Node>) {
        if self.has(id) {
            return;
        }
        let ord = self.next_ord;
        self.next_ord += 1;
        let mut new: Vec<(&str, &str, Meta)> = nodes
            .iter()
            .filter_map(|n| split(&n.path).map(|(d, name)| (d, name, n.meta.clone())))
            .collect();
        new.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        new.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        let paths = new.len() as u64;

        let old_entries = std::mem::take(&mut self.entries);
        let old_dirs = std::mem::take(&mut self.dirs);
        let mut merged: Vec<(String, Entry)> = Vec::with_capacity(old_entries.len().max(new.len()));
        let mut old = old_entries.into_iter().peekable();
        let mut fresh = new.into_iter().peekable();
        loop {
            let order = match (old.peek(), fresh.peek()) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(o), Some(f)) => {
                    (old_dirs[o.dir as usize].as_str(), o.name.as_str()).cmp(&(f.0, f.1))
                }
            };
            match order {
                Ordering::Less => {
                    let Some(e) = old.next() else { break };
                    merged.push((old_dirs[e.dir as usize].clone(), e));
                }
                Ordering::Greater => {
                    let Some((dir, name, meta)) = fresh.next() else { break };
                    let entry = Entry {
                        dir: 0,
                        name: name.to_string(),
                        versions: vec![Version { meta, ranges: vec![(ord, ord + 1)] }],
                    };
                    merged.push((dir.to_string(), entry));
                }
                Ordering::Equal => {
                    let (Some(mut e), Some((_, _, meta))) = (old.next(), fresh.next()) else {
                        break;
                    };
                    self.extend(&mut e, meta, ord);
                    merged.push((old_dirs[e.dir as usize].clone(), e));
                }
            }
        }
        self.snapshots.push(Indexed { ord, id: id.to_string(), time, paths });
        self.rebuild(merged);
    }

    /// Records that snapshot `ord` holds `meta` at this entry's path.
    fn extend(&self, e: &mut Entry, meta: Meta, ord: u32) {
        if let Some(v) = e.versions.iter_mut().find(|v| v.meta == meta) {
            // Extend the last range when every number between it and `ord` is a snapshot
            // that no longer exists (or none): the file was unchanged throughout.
            if let Some(last) = v.ranges.last_mut()
                && (last.1..ord).all(|o| !self.live(o))
            {
                last.1 = ord + 1;
            } else {
                v.ranges.push((ord, ord + 1));
            }
        } else {
            e.versions.push(Version { meta, ranges: vec![(ord, ord + 1)] });
        }
    }

    /// Rebuilds the directory table from entries sorted by (directory path, name).
    fn rebuild(&mut self, merged: Vec<(String, Entry)>) {
        let mut dirs: Vec<String> = Vec::new();
        let mut entries = Vec::with_capacity(merged.len());
        for (dir, mut e) in merged {
            if dirs.last() != Some(&dir) {
                dirs.push(dir);
            }
            e.dir = (dirs.len() - 1) as u32;
            entries.push(e);
        }
        self.dirs = dirs;
        self.entries = entries;
    }

    /// Keeps only the snapshots in `keep`: versions and paths no remaining snapshot holds
    /// are dropped. Returns how many snapshots were removed.
    pub fn retain(&mut self, keep: &[String]) -> usize {
        let before = self.snapshots.len();
        self.snapshots.retain(|s| keep.contains(&s.id));
        let removed = before - self.snapshots.len();
        if removed == 0 {
            return 0;
        }
        let dirs = std::mem::take(&mut self.dirs);
        let mut merged = Vec::with_capacity(self.entries.len());
        for mut e in std::mem::take(&mut self.entries) {
            e.versions.retain_mut(|v| {
                v.ranges.retain(|&(a, b)| self.any_live(a, b));
                !v.ranges.is_empty()
            });
            if !e.versions.is_empty() {
                merged.push((dirs[e.dir as usize].clone(), e));
            }
        }
        self.rebuild(merged);
        removed
    }

    fn any_live(&self, from: u32, to: u32) -> bool {
        let i = self.snapshots.partition_point(|s| s.ord < from);
        self.snapshots.get(i).is_some_and(|s| s.ord < to)
    }

    fn holds(&self, v: &Version, ord: u32) -> bool {
        v.ranges.iter().any(|&(a, b)| a <= ord && ord < b)
    }

    /// The version of `e` that snapshot `ord` holds, if any.
    fn version_in<'a>(&self, e: &'a Entry, ord: u32) -> Option<&'a Meta> {
        e.versions.iter().find(|v| self.holds(v, ord)).map(|v| &v.meta)
    }

    /// A directory's entries in a snapshot, in name order. `None` when the snapshot is not
    /// in the catalog or the directory is not in the snapshot.
    pub fn list(&self, snapshot: &str, dir: &str) -> Option<Vec<Listed>> {
        let ord = self.ord(snapshot)?;
        let Ok(d) = self.dirs.binary_search_by(|p| p.as_str().cmp(dir)) else {
            // No children anywhere: the directory exists (empty) only if the snapshot has it.
            return self.is_dir_in(dir, ord).then(Vec::new);
        };
        let d = d as u32;
        let start = self.entries.partition_point(|e| e.dir < d);
        let end = self.entries.partition_point(|e| e.dir <= d);
        let listed: Vec<Listed> = self.entries[start..end]
            .iter()
            .filter_map(|e| {
                self.version_in(e, ord).map(|m| Listed { name: e.name.clone(), meta: m.clone() })
            })
            .collect();
        if listed.is_empty() && !self.is_dir_in(dir, ord) {
            return None;
        }
        Some(listed)
    }

    /// The metadata `path` has in `snapshot`, if the snapshot is in the catalog and has it.
    pub fn lookup(&self, snapshot: &str, path: &str) -> Option<&Meta> {
        let ord = self.ord(snapshot)?;
        let (dir, name) = split(path)?;
        let d = self.dirs.binary_search_by(|x| x.as_str().cmp(dir)).ok()? as u32;
        let at = self.entries.partition_point(|e| (e.dir, e.name.as_str()) < (d, name));
        let e = self.entries.get(at).filter(|e| e.dir == d && e.name == name)?;
        self.version_in(e, ord)
    }

    /// Calls `f` with each path at or below `paths` in `snapshot` and its metadata, in
    /// catalog order. `false` when the snapshot is not in the catalog.
    pub fn walk(&self, snapshot: &str, paths: &[String], mut f: impl FnMut(&str, &Meta)) -> bool {
        let Some(ord) = self.ord(snapshot) else { return false };
        for e in &self.entries {
            let dir = &self.dirs[e.dir as usize];
            let path = join(dir, &e.name);
            let inside = paths.iter().any(|p| {
                p == "/"
                    || path == *p
                    || path.strip_prefix(p.as_str()).is_some_and(|r| r.starts_with('/'))
            });
            if inside && let Some(m) = self.version_in(e, ord) {
                f(&path, m);
            }
        }
        true
    }

    /// Files (not directories) at or below `paths` in `snapshot`, and their bytes.
    pub fn size_under(&self, snapshot: &str, paths: &[String]) -> Option<(u64, u64)> {
        let (mut files, mut bytes) = (0, 0);
        let found = self.walk(snapshot, paths, |_, m| {
            if m.kind != Kind::Dir {
                files += 1;
                bytes += m.size;
            }
        });
        found.then_some((files, bytes))
    }

    /// Is `dir` a directory in snapshot `ord` (the root always is)?
    fn is_dir_in(&self, dir: &str, ord: u32) -> bool {
        let Some((parent, name)) = split(dir) else { return dir == "/" };
        let Ok(p) = self.dirs.binary_search_by(|x| x.as_str().cmp(parent)) else {
            return false;
        };
        let p = p as u32;
        let at = self.entries.partition_point(|e| (e.dir, e.name.as_str()) < (p, name));
        self.entries.get(at).is_some_and(|e| {
            e.dir == p
                && e.name == name
                && self.version_in(e, ord).is_some_and(|m| m.kind == Kind::Dir)
        })
    }

    /// Paths matching `pattern` (see `glob::Pattern`), in the given snapshot or across all,
    /// at most `limit` of them; the flag says whether more matched.
    pub fn search(
        &self,
        pattern: &str,
        snapshot: Option<&str>,
        limit: usize,
    ) -> Option<(Vec<Hit>, bool)> {
        let only = match snapshot {
            Some(s) => Some(self.ord(s)?),
            None => None,
        };
        let pat = glob::Pattern::new(pattern);
        // Snapshot ids are listed oldest first, whatever order they were indexed in.
        let mut by_time: Vec<&Indexed> = self.snapshots.iter().collect();
        by_time.sort_by_key(|s| s.time);
        let mut hits = Vec::new();
        for e in &self.entries {
            let dir = &self.dirs[e.dir as usize];
            if !pat.matches(dir, &e.name) {
                continue;
            }
            let versions: Vec<(Meta, Vec<String>)> = e
                .versions
                .iter()
                .filter_map(|v| {
                    let ids: Vec<String> = by_time
                        .iter()
                        .filter(|s| only.is_none_or(|o| o == s.ord) && self.holds(v, s.ord))
                        .map(|s| s.id.clone())
                        .collect();
                    (!ids.is_empty()).then(|| (v.meta.clone(), ids))
                })
                .collect();
            if versions.is_empty() {
                continue;
            }
            if hits.len() == limit {
                return Some((hits, true));
            }
            hits.push(Hit { path: join(dir, &e.name), versions });
        }
        Some((hits, false))
    }

    /// Serialises the catalog (see `codec`).
    pub fn encode(&self) -> Vec<u8> {
        codec::encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Catalog, DecodeError> {
        codec::decode(bytes)
    }
}

#[cfg(test)]
mod tests;

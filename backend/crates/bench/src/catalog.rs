//! `cairn-bench catalog`: the agent's snapshot catalog (ADR 0007) on a host of 200,000
//! paths with 30 nightly snapshots, each changing 1 % of the files: bytes on disk for the
//! first snapshot and per further one, the time to add a snapshot and to load the file,
//! directory listings (p50/p95/max over random directories, from memory and right after
//! a load from disk), and searches across all 30 snapshots. In process, on the agent's
//! own code; the first read of a snapshot (`restic ls`) is restic's time and not in here.

use std::time::{Duration, Instant};

use cairn_agent::catalog::{Catalog, Kind, Meta, Node};
use chrono::{TimeZone, Utc};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (xorshift), so every run measures the same tree.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `files` paths in directories of about 100 files, three levels deep, names of a
/// realistic length; sizes and times from the generator.
fn tree(files: usize, rng: &mut Rng) -> (Vec<Node>, Vec<String>) {
    let mut nodes = Vec::with_capacity(files + files / 50);
    let mut dirs = Vec::new();
    let file = |path: String, rng: &mut Rng| Node {
        path,
        meta: Meta {
            kind: Kind::File,
            size: rng.next() % 2_000_000,
            mtime_ns: 1_700_000_000_000_000_000 + (rng.next() % 1_000_000_000_000_000) as i64,
            mode: 0o644,
            uid: 1000,
            gid: 1000,
        },
    };
    let dir = |path: String| Node {
        path,
        meta: Meta { kind: Kind::Dir, size: 0, mtime_ns: 1, mode: 0o755, uid: 1000, gid: 1000 },
    };
    nodes.push(dir("/srv".into()));
    let mut made = 0;
    'outer: for a in 0.. {
        let l1 = format!("/srv/project-{a:03}");
        nodes.push(dir(l1.clone()));
        for b in 0..10 {
            let l2 = format!("{l1}/module_{b}");
            nodes.push(dir(l2.clone()));
            for c in 0..5 {
                let l3 = format!("{l2}/src-{c}");
                nodes.push(dir(l3.clone()));
                dirs.push(l3.clone());
                for f in 0..40 {
                    nodes.push(file(format!("{l3}/document-{a}-{b}-{c}-{f:03}.txt"), rng));
                    made += 1;
                    if made == files {
                        break 'outer;
                    }
                }
            }
        }
    }
    (nodes, dirs)
}

pub fn run() {
    let files = arg("--files", 200_000);
    let snapshots = arg("--snapshots", 30);
    let samples = arg("--samples", 2_000);
    println!(
        "cairn-bench catalog: {files} files, {snapshots} snapshots each changing 1 % of the files, {samples} directory listings"
    );
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let (mut nodes, dirs) = tree(files, &mut rng);
    let mut c = Catalog::default();
    let mut sizes = Vec::new();
    let mut adds = Vec::new();
    let mut ids = Vec::new();
    for s in 0..snapshots {
        if s > 0 {
            // 1 % of the files change (size and time), as a nightly backup of a busy host.
            for _ in 0..files / 100 {
                let i = rng.below(nodes.len());
                if nodes[i].meta.kind == Kind::File {
                    nodes[i].meta.size = rng.next() % 2_000_000;
                    nodes[i].meta.mtime_ns += 86_400_000_000_000;
                }
            }
        }
        let id = format!("{:064x}", s + 1);
        let t = Utc.with_ymd_and_hms(2026, 11, 1, 3, 0, 0).single().unwrap_or_default()
            + chrono::Duration::days(s as i64);
        let t0 = Instant::now();
        c.add(&id, t, nodes.clone());
        adds.push(t0.elapsed());
        sizes.push(c.encode().len());
        ids.push(id);
    }
    let bytes = c.encode();
    let first = sizes[0];
    let per_more = (sizes[sizes.len() - 1] - first) as f64 / (snapshots.max(2) - 1) as f64;
    println!(
        "catalog on disk: {:.1} MB for {snapshots} snapshots; the first {:.1} MB ({:.0} bytes per path), each further one {:.0} KB; {} path versions",
        bytes.len() as f64 / 1e6,
        first as f64 / 1e6,
        first as f64 / nodes.len() as f64,
        per_more / 1e3,
        c.versions()
    );
    println!(
        "adding a snapshot of {} paths: first {:.0} ms, last {:.0} ms",
        nodes.len(),
        ms(adds[0]),
        ms(adds[adds.len() - 1])
    );
    let t0 = Instant::now();
    let loaded = Catalog::decode(&bytes).unwrap_or_default();
    let load = t0.elapsed();
    println!("loading the catalog from its file: {:.0} ms (once per 2 minutes of use)", ms(load));
    let mut lat = Vec::with_capacity(samples);
    let mut listed = 0;
    for _ in 0..samples {
        let d = &dirs[rng.below(dirs.len())];
        let s = &ids[rng.below(ids.len())];
        let t0 = Instant::now();
        listed += loaded.list(s, d).map_or(0, |l| l.len());
        lat.push(t0.elapsed());
    }
    lat.sort();
    println!(
        "directory listing ({} entries on average), from memory: p50 {:.3} ms, p95 {:.3} ms, max {:.3} ms; the first after a load {:.0} ms  [target p95 ≤ 200 ms]",
        listed / samples.max(1),
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.95)),
        ms(pct(&lat, 1.0)),
        ms(load + pct(&lat, 0.5))
    );
    for q in ["document-7-3-2-017", "*-017.txt", "/srv/project-01?/module_3/*"] {
        let t0 = Instant::now();
        let (hits, more) = loaded.search(q, None, 200).unwrap_or_default();
        let took = t0.elapsed();
        let versions: usize = hits.iter().map(|h| h.versions.len()).sum();
        println!(
            "search {q:?} across {snapshots} snapshots: {} paths ({versions} versions{}) in {:.0} ms  [target ≤ 1 s]",
            hits.len(),
            if more { ", more matched" } else { "" },
            ms(took)
        );
    }
}

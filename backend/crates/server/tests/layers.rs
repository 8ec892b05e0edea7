//! The house's walls: the domain, the store and the hub know nothing of HTTP, and the API reaches
//! the store only through the domain. A file that crosses a wall fails here, so the rules
//! stay testable without a server and reusable by the CLI.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test stops at a failed setup")]

use std::path::Path;

/// Words that would bring HTTP into a layer below it.
const FORBIDDEN: [&str; 6] =
    ["poem", "crate::api", "crate::http", "crate::app", "super::api", "super::app"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of `src/<layer>/**` (comments dropped) that contain one of `words`.
fn breaches(layers: &[&str], words: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for layer in layers {
        rust_files(&src.join(layer), &mut files);
    }
    assert!(files.len() > 5, "found only {} files", files.len());
    let mut out = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if words.iter().any(|w| code.contains(w)) {
                out.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    out
}

/// Handlers shape answers from what the domain returns; the store is the domain's.
#[test]
fn the_api_does_not_reach_into_the_store() {
    let found = breaches(&["api"], &["store::", ".db()"]);
    assert!(found.is_empty(), "api/ must go through the domain:\n{}", found.join("\n"));
}

#[test]
fn domain_store_and_hub_do_not_name_http() {
    let found = breaches(&["domain", "store", "hub"], &FORBIDDEN);
    assert!(found.is_empty(), "the domain and the store must not name HTTP:\n{}", found.join("\n"));
}

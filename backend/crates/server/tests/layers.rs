//! The house's walls: the domain and the store know nothing of HTTP. A file under
//! `src/domain/` or `src/store/` that names poem, the API, the HTTP plumbing or the app
//! fails this test, so the rules stay testable without a server and reusable by the CLI.

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

#[test]
fn domain_and_store_do_not_name_http() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for layer in ["domain", "store"] {
        rust_files(&src.join(layer), &mut files);
    }
    assert!(files.len() > 10, "found only {} files", files.len());
    let mut breaches = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                if code.contains(word) {
                    breaches.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        breaches.is_empty(),
        "the domain and the store must not name HTTP:\n{}",
        breaches.join("\n")
    );
}

//! `cairn-contract check <openapi.json> <exchanges.ndjson>`: checks every recorded answer
//! (one JSON object per line, see `Exchange`) against the document; exits 1 on a mismatch.

use std::process::ExitCode;

use cairn_contract::{Exchange, Spec, coverage};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some("check"), Some(spec), Some(file)) =
        (args.get(1).map(String::as_str), args.get(2), args.get(3))
    else {
        eprintln!("usage: cairn-contract check <openapi.json> <exchanges.ndjson>");
        return ExitCode::from(2);
    };
    match run(spec, file) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("cairn-contract: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(spec_path: &str, file: &str) -> Result<bool, String> {
    let spec = Spec::load(std::path::Path::new(spec_path))?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let mut exchanges = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let ex: Exchange =
            serde_json::from_str(line).map_err(|e| format!("{file}:{}: {e}", i + 1))?;
        exchanges.push(ex);
    }
    if exchanges.is_empty() {
        return Err(format!("{file} holds no exchanges: the recorder saw nothing"));
    }
    let mut failures = 0;
    for ex in &exchanges {
        let errs = spec.check(ex);
        if !errs.is_empty() {
            failures += 1;
            eprintln!("MISMATCH {} {} -> {}", ex.method, ex.url, ex.status);
            for e in errs {
                eprintln!("    {e}");
            }
        }
    }
    let cov = coverage(&spec, &exchanges);
    let pairs: usize = cov.values().map(|s| s.len()).sum();
    println!(
        "contract: {} answers checked against {spec_path}, {} operations and {pairs} operation×status pairs seen, {failures} mismatches",
        exchanges.len(),
        cov.len(),
    );
    Ok(failures == 0)
}

//! A repository key rotation on a real restic repository: `key_add` adds a key for the new
//! password in the agent's config and reports both keys; until `key_remove` runs, the old
//! password still opens the repository (a host that has not taken the new one keeps
//! working); after it, only the new one does.

use cairn_proto::{InitArgs, JobArgs, JobOutcome, KeyAddArgs, KeyRemoveArgs};

use crate::jobs::{Fixture, backup_of, restic_path, run_to_end, snapshot_ids};

const NEW_PASSWORD: &str = "the rotated password, 256 bits of it in real life";

/// Whether `password` opens the fixture's repository.
async fn opens(f: &Fixture, password: &str) -> bool {
    let restic = cairn_restic::Restic::detect(restic_path()).await.unwrap();
    let cfg = cairn_proto::RepositoryConfig {
        password: password.into(),
        ..f.config.repositories[0].clone()
    };
    restic.key_list(&cairn_agent::runner::repo(&cfg)).await.is_ok()
}

#[tokio::test]
async fn a_rotated_key_works_alongside_the_old_one_until_it_is_removed() {
    let mut f = Fixture::new();
    run_to_end(&f, JobArgs::Init(InitArgs {})).await;
    let r = run_to_end(&f, backup_of(&[&f.path("data")])).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let old_password = f.config.repositories[0].password.clone();

    // Without the new password in the config there is nothing to add.
    let r = run_to_end(&f, JobArgs::KeyAdd(KeyAddArgs {})).await;
    assert_eq!(
        (r.outcome, r.error_class.as_deref()),
        (JobOutcome::Failed, Some("agent.no_new_password"))
    );

    f.config.repositories[0].new_password = Some(NEW_PASSWORD.into());
    let r = run_to_end(&f, JobArgs::KeyAdd(KeyAddArgs {})).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    let keys = r.keys.expect("the keys");
    let (old, new) = (keys.old_key_id.expect("old key"), keys.new_key_id.expect("new key"));
    assert_ne!(old, new);
    // restic's key list prints ids short (8 hex digits) or full, by version.
    for id in [&old, &new] {
        assert!(id.len() >= 8 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    // The password file is gone, and both passwords open the repository.
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("cairn-new-key-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(opens(&f, &old_password).await && opens(&f, NEW_PASSWORD).await);

    // The server switches every host to the new password; a backup with it works.
    f.config.repositories[0].password = NEW_PASSWORD.into();
    f.config.repositories[0].new_password = None;
    let r = run_to_end(&f, backup_of(&[&f.path("data")])).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");

    // restic refuses to remove the key the password opens; the old one goes.
    let r = run_to_end(&f, JobArgs::KeyRemove(KeyRemoveArgs { key_id: new.clone() })).await;
    assert_eq!(r.outcome, JobOutcome::Failed, "{r:?}");
    let r = run_to_end(&f, JobArgs::KeyRemove(KeyRemoveArgs { key_id: old.clone() })).await;
    assert_eq!(r.outcome, JobOutcome::Succeeded, "{r:?}");
    assert_eq!(r.keys.and_then(|k| k.removed_key_id), Some(old));
    assert!(!opens(&f, &old_password).await, "the old password still opens the repository");
    assert!(opens(&f, NEW_PASSWORD).await);
    assert_eq!(snapshot_ids(&f).await.len(), 2, "both snapshots are there");
    // A key id that is not one is refused before restic runs.
    let r = run_to_end(&f, JobArgs::KeyRemove(KeyRemoveArgs { key_id: "--all".into() })).await;
    assert_eq!(r.outcome, JobOutcome::Failed, "{r:?}");
}

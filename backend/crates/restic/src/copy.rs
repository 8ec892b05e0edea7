//! `restic copy`: snapshots from one repository into another (a mirror, for 3-2-1), and
//! the measure of what a mirror holds of its source, from both repositories' listings.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::{
    args::{SnapshotFilter, copy_args},
    client::Restic,
    error::{Error, Result},
    repo::Repo,
    stream::{Kind, Outcome, RunControl},
    types::Snapshot,
};

impl Restic {
    /// `restic copy` into `to` from `from`, of the snapshots `filter` selects (every one
    /// when it is empty). restic skips the snapshots `to` already holds, so a copy moves
    /// only what is new. Its text output streams as log events.
    pub async fn copy(
        &self,
        to: &Repo,
        from: &Repo,
        filter: &SnapshotFilter,
        ctl: RunControl,
    ) -> Result<Outcome> {
        let both = to.copying_from(from).map_err(Error::InvalidArgument)?;
        self.stream(&both, copy_args(filter)?, Kind::Copy, ctl).await
    }
}

/// What a mirror holds of its source's snapshots (within one scope).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MirrorState {
    /// The source's snapshots.
    pub source: usize,
    /// Of those, the ones the mirror holds.
    pub held: usize,
    /// The newest of the source's snapshots.
    pub source_newest: Option<DateTime<Utc>>,
    /// The newest of the source's snapshots that the mirror holds.
    pub copied_newest: Option<DateTime<Utc>>,
}

impl MirrorState {
    pub fn missing(&self) -> usize {
        self.source - self.held
    }
}

/// A snapshot's identity across copies: the id of the snapshot it was first made as.
fn origin(s: &Snapshot) -> &str {
    s.original.as_deref().unwrap_or(&s.id)
}

/// Which of `source` (already filtered to the copy's scope) `mirror` holds: a copied
/// snapshot keeps its source's id as `original`.
pub fn mirror_state(source: &[Snapshot], mirror: &[Snapshot]) -> MirrorState {
    let held: BTreeSet<&str> = mirror.iter().map(origin).collect();
    let mut state = MirrorState { source: source.len(), ..MirrorState::default() };
    for s in source {
        state.source_newest = state.source_newest.max(Some(s.time));
        if held.contains(origin(s)) {
            state.held += 1;
            state.copied_newest = state.copied_newest.max(Some(s.time));
        }
    }
    state
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn snap(id: &str, day: u32, original: Option<&str>) -> Snapshot {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "time": Utc.with_ymd_and_hms(2026, 12, day, 3, 0, 0).unwrap(),
            "original": original,
        }))
        .unwrap()
    }

    #[test]
    fn a_mirror_holds_what_was_copied_by_original_id() {
        let source = [snap("a", 1, None), snap("b", 2, None), snap("c", 3, Some("z"))];
        let mirror = [snap("m1", 1, Some("a")), snap("m3", 3, Some("z")), snap("x", 4, None)];
        let s = mirror_state(&source, &mirror);
        assert_eq!(s.source, 3);
        assert_eq!(s.held, 2);
        assert_eq!(s.missing(), 1);
        assert_eq!(s.source_newest, Some(Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap()));
        assert_eq!(s.copied_newest, Some(Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap()));
        let empty = mirror_state(&source, &[]);
        assert_eq!((empty.held, empty.copied_newest), (0, None));
    }
}

//! The questions Helm's `pkg/storage` answers over one release's revisions,
//! as pure functions of that history (in any order): the latest, the
//! deployed one, what `--history-max` prunes, what an upgrade supersedes.

use crate::release::{Release, Status};

/// The highest revision, whatever its state (Helm's `Storage.Last`).
pub fn latest(history: &[Release]) -> Option<&Release> {
    history.iter().max_by_key(|release| release.version)
}

/// The highest revision whose status is `deployed` (Helm's `Storage.Deployed`,
/// which takes the latest when a race left several deployed).
pub fn deployed(history: &[Release]) -> Option<&Release> {
    history.iter().filter(|release| release.info.status == Status::DEPLOYED).max_by_key(|release| release.version)
}

/// The revision `version`.
pub fn by_version(history: &[Release], version: i64) -> Option<&Release> {
    history.iter().find(|release| release.version == version)
}

/// The revision the next install, upgrade or rollback writes: one past the
/// latest, 1 for a new release.
pub fn next_version(history: &[Release]) -> i64 {
    latest(history).map_or(1, |release| release.version + 1)
}

/// The revisions to delete before writing one more under `max_history`
/// (Helm's `--history-max`; 0 or less keeps everything), oldest first: as
/// Helm's `Storage.Create` makes room with `removeLeastRecent(max - 1)`,
/// dropping the oldest until `max_history - 1` remain, but never the last
/// deployed revision.
pub fn to_prune(history: &[Release], max_history: i64) -> Vec<&Release> {
    let keep = max_history - 1;
    if max_history <= 0 || history.len() as i64 <= keep {
        return Vec::new();
    }
    let mut oldest_first: Vec<&Release> = history.iter().collect();
    oldest_first.sort_by_key(|release| release.version);
    let last_deployed = deployed(history).map(|release| release.version);
    let excess = history.len() as i64 - keep;
    oldest_first.into_iter().filter(|release| Some(release.version) != last_deployed).take(excess as usize).collect()
}

/// The revisions to mark superseded once `new_version` is deployed: every
/// other `deployed` one, with its status changed, for the caller to update.
/// Helm's rollback supersedes all of them (helm/helm#2941); its upgrade the
/// one it started from, which is the same set unless a race left several.
pub fn supersede(history: &[Release], new_version: i64) -> Vec<Release> {
    history
        .iter()
        .filter(|release| release.version != new_version && release.info.status == Status::DEPLOYED)
        .map(|release| {
            let mut superseded = release.clone();
            superseded.info.status = Status::SUPERSEDED;
            superseded
        })
        .collect()
}

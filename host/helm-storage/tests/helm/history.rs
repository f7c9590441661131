//! The history rules against Helm's `pkg/storage` behaviour, on made-up revisions.

use weir_helm_storage::history::{by_version, deployed, latest, next_version, supersede, to_prune};
use weir_helm_storage::{Info, Release, Status};

fn revision(version: i64, status: Status) -> Release {
    Release { name: "web".into(), version, info: Info { status, ..Info::default() }, ..Release::default() }
}

fn versions<'a>(releases: impl IntoIterator<Item = &'a Release>) -> Vec<i64> {
    releases.into_iter().map(|release| release.version).collect()
}

/// Revisions 1..=n, the `deployed` one at `deployed_at` (if any), the rest superseded; shuffled.
fn history(n: i64, deployed_at: Option<i64>) -> Vec<Release> {
    let mut history: Vec<Release> = (1..=n)
        .map(|version| {
            let status = if Some(version) == deployed_at { Status::DEPLOYED } else { Status::SUPERSEDED };
            revision(version, status)
        })
        .collect();
    history.reverse();
    let middle = history.len() / 2;
    history.rotate_left(middle);
    history
}

#[test]
fn latest_deployed_by_version_and_next() {
    let mut releases = history(4, Some(3));
    releases[0].info.status = Status::FAILED;
    assert_eq!(latest(&releases).map(|r| r.version), Some(4));
    assert_eq!(deployed(&releases).map(|r| r.version), Some(3));
    assert_eq!(by_version(&releases, 2).map(|r| r.version), Some(2));
    assert_eq!(by_version(&releases, 5), None);
    assert_eq!(next_version(&releases), 5);
    assert_eq!((latest(&[]), deployed(&[]), next_version(&[])), (None, None, 1));
    assert_eq!(deployed(&history(3, None)), None);
}

#[test]
fn deployed_takes_the_latest_when_several_are() {
    let releases = [revision(1, Status::DEPLOYED), revision(3, Status::DEPLOYED), revision(2, Status::FAILED)];
    assert_eq!(deployed(&releases).map(|r| r.version), Some(3));
}

#[test]
fn pruning_keeps_max_minus_one_for_the_revision_to_come() {
    // Ten revisions, the latest deployed, max 5: the five oldest go, four stay for the fifth to come.
    assert_eq!(versions(to_prune(&history(10, Some(10)), 5)), [1, 2, 3, 4, 5, 6]);
    assert_eq!(versions(to_prune(&history(5, Some(5)), 5)), [1]);
    assert_eq!(versions(to_prune(&history(4, Some(4)), 5)), Vec::<i64>::new());
    // max 1: nothing stays but the last deployed.
    assert_eq!(versions(to_prune(&history(3, Some(3)), 1)), [1, 2]);
}

#[test]
fn pruning_never_deletes_the_last_deployed_revision() {
    // The deployed one is the oldest: it stays and the next oldest go instead.
    assert_eq!(versions(to_prune(&history(6, Some(1)), 3)), [2, 3, 4, 5]);
    assert_eq!(versions(to_prune(&history(6, Some(2)), 3)), [1, 3, 4, 5]);
    // No deployed revision (all failed or superseded): the oldest go.
    assert_eq!(versions(to_prune(&history(6, None), 3)), [1, 2, 3, 4]);
}

#[test]
fn pruning_is_off_at_zero_or_less() {
    assert!(to_prune(&history(20, Some(20)), 0).is_empty());
    assert!(to_prune(&history(20, Some(20)), -1).is_empty());
}

#[test]
fn superseding_marks_every_other_deployed_revision() {
    let releases = [
        revision(1, Status::DEPLOYED),
        revision(2, Status::FAILED),
        revision(3, Status::DEPLOYED),
        revision(4, Status::PENDING_UPGRADE),
    ];
    let superseded = supersede(&releases, 4);
    assert_eq!(versions(&superseded), [1, 3]);
    assert!(superseded.iter().all(|release| release.info.status == Status::SUPERSEDED));
    assert_eq!(
        superseded[1],
        Release { info: Info { status: Status::SUPERSEDED, ..Info::default() }, ..releases[2].clone() }
    );
    // The new revision itself is never superseded, even when already marked deployed.
    assert_eq!(versions(&supersede(&[revision(1, Status::DEPLOYED), revision(2, Status::DEPLOYED)], 2)), [1]);
    assert!(supersede(&[revision(1, Status::FAILED)], 2).is_empty());
}

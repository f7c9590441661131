//! `flux reconcile hr --force` and `--reset`: the `reconcile.fluxcd.io/forceAt` and
//! `resetAt` annotations, each with `requestedAt` set to the same token. Force upgrades a
//! release in step (and one out of retries); reset starts the failure counts afresh, so a
//! stalled release is attempted again. A token already handled, or not matching
//! `requestedAt`, does nothing.

use std::time::Duration;

use crate::helm_support::{Setup, annotate, condition, helm_release, history_rows, ready_with, released, setup};

const REQUESTED: &str = "reconcile.fluxcd.io/requestedAt";
const FORCE: &str = "reconcile.fluxcd.io/forceAt";
const RESET: &str = "reconcile.fluxcd.io/resetAt";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_upgrades_a_release_in_step() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    cluster.apply(&helm_release("  values:\n    replicaCount: 2\n")).await;
    released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;

    // A force token that is not the requestedAt token is no request.
    annotate(&cluster, "web", &[(REQUESTED, "one"), (FORCE, "other")]).await;
    released(&cluster, |r| r.status.as_ref().and_then(|s| s.last_handled_reconcile_at.as_deref()) == Some("one")).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(history_rows(&helm, "web").len(), 1, "nothing changed, nothing forced");

    annotate(&cluster, "web", &[(REQUESTED, "two"), (FORCE, "two")]).await;
    let release = released(&cluster, |r| {
        ready_with(r, "UpgradeSucceeded")
            && r.status.as_ref().and_then(|s| s.last_handled_force_at.as_deref()) == Some("two")
    })
    .await;
    let (_, _, message) = condition(&release, "Released").unwrap();
    assert_eq!(message, "Helm upgrade succeeded for release default/web.v2 with chart web@1.0.0");
    let rows = history_rows(&helm, "web");
    assert_eq!(
        rows,
        [("superseded".to_owned(), "Install complete".to_owned()), ("deployed".into(), "Upgrade complete".into())]
    );
    // The same chart and values again.
    assert_eq!(helm.json(&["get", "values", "web", "-o", "json"]), serde_json::json!({"replicaCount": 2}));

    // Handled once: the release stays at v2.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(history_rows(&helm, "web").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_and_force_reattempt_a_release_out_of_retries() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    cluster.apply(&helm_release("")).await;
    released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;

    // No retries: one failed upgrade spends the budget and stalls.
    let failing = "  timeout: 2s\n  commonMetadata:\n    annotations:\n      weir.dev/simulate: fail\n\
                   \x20 values:\n    podAnnotations:\n      rollout: broken\n";
    cluster.apply(&helm_release(failing)).await;
    let stalled = |release: &weir_api::helm::HelmRelease| {
        condition(release, "Stalled").is_some_and(|(status, why, _)| status == "True" && why == "RetriesExceeded")
    };
    let release = released(&cluster, stalled).await;
    assert_eq!(release.status.as_ref().unwrap().upgrade_failures, Some(1));
    let revisions = history_rows(&helm, "web").len();
    assert_eq!(revisions, 2);

    // Reset: the counts start again and the upgrade is attempted once more.
    annotate(&cluster, "web", &[(REQUESTED, "r1"), (RESET, "r1")]).await;
    let release = released(&cluster, |r| {
        stalled(r) && r.status.as_ref().and_then(|s| s.last_handled_reset_at.as_deref()) == Some("r1")
    })
    .await;
    assert_eq!(release.status.as_ref().unwrap().upgrade_failures, Some(1), "counted afresh");
    let rows = history_rows(&helm, "web");
    assert_eq!(rows.len(), revisions + 1, "{rows:?}");
    assert_eq!(rows.last().unwrap().0, "failed", "{rows:?}");

    // Force: attempted again though the budget is spent.
    annotate(&cluster, "web", &[(REQUESTED, "f1"), (FORCE, "f1")]).await;
    let release = released(&cluster, |r| {
        stalled(r) && r.status.as_ref().and_then(|s| s.last_handled_force_at.as_deref()) == Some("f1")
    })
    .await;
    assert_eq!(release.status.as_ref().unwrap().upgrade_failures, Some(2), "a forced attempt counts");
    assert_eq!(history_rows(&helm, "web").len(), revisions + 2);
}

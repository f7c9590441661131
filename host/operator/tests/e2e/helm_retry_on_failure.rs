//! `install.strategy` / `upgrade.strategy` `RetryOnFailure`, as helm-controller runs it: a
//! failed release is neither uninstalled nor rolled back, the HelmRelease stays Reconciling
//! (`ProgressingWithRetry`, `retrying after <retryInterval>`) without stalling, and the release
//! is upgraded again after `retryInterval`, however many failures there were.

use std::time::Duration;

use crate::helm_support::{Setup, condition, helm_release, history_rows, ready_with, released, setup};

const RETRY: &str = "  timeout: 2s\n  install:\n    strategy:\n      name: RetryOnFailure\n      retryInterval: 4s\n\
                     \x20 upgrade:\n    strategy:\n      name: RetryOnFailure\n      retryInterval: 4s\n";
/// Every object of the release marked to fail, and a new pod template: the Deployment never
/// rolls out.
const FAILING: &str = "  commonMetadata:\n    annotations:\n      weir.dev/simulate: fail\n  values:\n    podAnnotations:\n      rollout: broken\n";

/// Failed with `reason`, and waiting to retry.
fn retrying(release: &weir_api::helm::HelmRelease, reason: &str) -> bool {
    condition(release, "Ready").is_some_and(|(status, why, _)| status == "False" && why == reason)
        && condition(release, "Reconciling").is_some_and(|(_, why, _)| why == "ProgressingWithRetry")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_install_is_left_and_retried_after_the_interval() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    cluster.apply(&helm_release(&format!("{RETRY}{FAILING}"))).await;

    let release = released(&cluster, |r| retrying(r, "InstallFailed")).await;
    let (_, _, message) = condition(&release, "Ready").unwrap();
    assert!(message.starts_with("Helm install failed for release default/web with chart web@1.0.0: "), "{message}");
    assert_eq!(
        condition(&release, "Reconciling"),
        Some(("True".into(), "ProgressingWithRetry".into(), "retrying after 4s".into()))
    );
    assert_eq!(condition(&release, "Stalled"), None, "RetryOnFailure never stalls");
    assert_eq!(condition(&release, "Remediated"), None, "no remediation ran");
    let (status, why, _) = condition(&release, "Released").unwrap();
    assert_eq!((status.as_str(), why.as_str()), ("False", "InstallFailed"));
    let status = release.status.as_ref().unwrap();
    assert_eq!((status.install_failures, status.failures), (Some(1), Some(1)));
    // The failed install is kept, not uninstalled, and not retried before the interval.
    let rows = history_rows(&helm, "web");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "failed", "{rows:?}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(history_rows(&helm, "web").len(), 1, "retried before retryInterval");

    // After the interval the failed release is upgraded, and fails again: still no remediation,
    // though `remediation.retries` (0) would have been spent long ago.
    let release = released(&cluster, |r| retrying(r, "UpgradeFailed")).await;
    assert_eq!(condition(&release, "Stalled"), None);
    assert_eq!(
        condition(&release, "Reconciling").map(|(status, why, _)| (status, why)),
        Some(("True".into(), "ProgressingWithRetry".into()))
    );
    let rows = history_rows(&helm, "web");
    let statuses: Vec<&str> = rows.iter().map(|(status, _)| status.as_str()).collect();
    assert!(statuses.starts_with(&["failed", "failed"]), "{rows:?} {:?}", condition(&release, "Ready"));

    // A working spec is upgraded over the failed revisions and the retrying ends.
    cluster.apply(&helm_release(RETRY)).await;
    let release = released(&cluster, |r| ready_with(r, "UpgradeSucceeded")).await;
    assert_eq!(condition(&release, "Reconciling"), None);
    let rows = history_rows(&helm, "web");
    let (last, earlier) = rows.split_last().unwrap();
    assert_eq!(last, &("deployed".to_owned(), "Upgrade complete".to_owned()), "{rows:?}");
    // The failed revision the upgrade started from is superseded, as Helm leaves it.
    assert_eq!(earlier.last().unwrap().0, "superseded", "{rows:?}");
    assert!(earlier.iter().all(|(status, _)| status != "deployed"), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_upgrade_is_not_rolled_back() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    cluster.apply(&helm_release(RETRY)).await;
    released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;

    // Retries and remediation configured as well: the strategy wins, nothing is rolled back.
    let remediation = "    remediation:\n      retries: 3\n";
    let spec = format!("{RETRY}{remediation}{FAILING}");
    cluster.apply(&helm_release(&spec)).await;
    let release = released(&cluster, |r| retrying(r, "UpgradeFailed")).await;
    assert_eq!(condition(&release, "Remediated"), None);
    assert_eq!(release.status.as_ref().unwrap().upgrade_failures, Some(1));
    let rows = history_rows(&helm, "web");
    assert_eq!(rows.iter().map(|(status, _)| status.as_str()).collect::<Vec<_>>(), ["deployed", "failed"], "{rows:?}");
    assert!(!rows.iter().any(|(_, description)| description.starts_with("Rollback")), "{rows:?}");
}

//! Uninstalling: on deletion (with and without `uninstall.keepHistory`), repairing a managed
//! release that `helm uninstall` removed, and uninstalling the old release when the release
//! name changes.

use kube::Api;
use weir_api::helm::HelmRelease;
use weir_testkit::cluster::{PATIENCE, eventually};

use crate::helm_support::{Setup, helm_release, ready_with, released, setup};

/// [`setup`], with HelmRelease `web` (plus `spec`) installed.
async fn start(spec: &str) -> Setup {
    let setup = setup().await;
    setup.cluster.apply(&helm_release(spec)).await;
    released(&setup.cluster, |r| ready_with(r, "InstallSucceeded")).await;
    setup
}

async fn until(what: &str, check: impl AsyncFn() -> bool) {
    eventually(PATIENCE, || async { check().await.then_some(()).ok_or_else(String::new) })
        .await
        .unwrap_or_else(|_| panic!("{what}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_history_leaves_the_record_uninstalled() {
    let Setup { cluster, helm, server: _server, charts: _charts } =
        start("  uninstall:\n    keepHistory: true\n").await;
    Api::<HelmRelease>::namespaced(cluster.client.clone(), "default").delete("web", &Default::default()).await.unwrap();
    until("the objects are deleted", async || {
        cluster.get("apps/v1", "Deployment", Some("default"), "web").await.is_none()
    })
    .await;
    until("the release is uninstalled", async || {
        helm.json(&["list", "-a", "-o", "json"])[0]["status"] == "uninstalled"
    })
    .await;
    let history = helm.json(&["history", "web", "-o", "json"]);
    assert_eq!(history[0]["description"], "Uninstallation complete", "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helm_uninstall_behind_the_release_is_repaired() {
    let Setup { cluster, helm, server: _server, charts: _charts } = start("").await;
    let deployment_uid = async || {
        let deployment = cluster.get("apps/v1", "Deployment", Some("default"), "web").await?;
        deployment["metadata"]["uid"].as_str().map(str::to_owned)
    };
    let installed = deployment_uid().await.expect("the release's Deployment");
    helm.run(&["uninstall", "web"]);
    // The repair may come before any check here could see the gap: a Deployment with a new
    // uid is the proof that it was deleted and made again.
    until("the release is installed again", async || {
        helm.json(&["list", "-o", "json"])
            .as_array()
            .is_some_and(|list| list.len() == 1 && list[0]["status"] == "deployed")
    })
    .await;
    until("its objects are back", async || deployment_uid().await.is_some_and(|uid| uid != installed)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_release_name_uninstalls_the_old_release() {
    let Setup { cluster, helm, server: _server, charts: _charts } = start("").await;
    cluster.apply(&helm_release("  releaseName: site\n")).await;
    released(&cluster, |r| {
        ready_with(r, "InstallSucceeded")
            && r.status.as_ref().and_then(|s| s.history.as_ref()).is_some_and(|h| h[0].name == "site")
    })
    .await;
    let names: Vec<String> = helm
        .json(&["list", "-a", "-o", "json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["site"]);
    assert!(
        cluster.get("apps/v1", "Deployment", Some("default"), "web").await.is_none(),
        "the old release's objects are gone"
    );
    assert!(
        cluster.get("apps/v1", "Deployment", Some("default"), "site-web").await.is_some(),
        "fullname is <release>-<chart>"
    );
}

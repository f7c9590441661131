//! The embedded API server driven by kube-rs, as weir's controllers drive
//! it: watchers and reflectors, server-side apply, finalizers, impersonation.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use kube::{Client, Config};
use serde_json::json;
use weir_apiserver::{ApiServer, Authentication, Storage};

/// Starts a server keeping `history` watch events; returns its URL.
async fn server(history: usize) -> String {
    let auth = Authentication { admin_token: "admin".into(), ..Authentication::default() };
    let storage = Storage { watch_history: history, ..Storage::default() };
    let server = ApiServer::bind_with("127.0.0.1:0".parse().unwrap(), auth, storage).await.unwrap();
    let url = server.url();
    tokio::spawn(server.serve());
    url
}

fn client(url: &str, impersonate: Option<&str>) -> Client {
    let mut config = Config::new(url.parse().unwrap());
    config.auth_info.token = Some("admin".to_owned().into());
    config.auth_info.impersonate = impersonate.map(str::to_owned);
    Client::try_from(config).unwrap()
}

fn config_map(name: &str, data: serde_json::Value) -> ConfigMap {
    serde_json::from_value(
        json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": name }, "data": data }),
    )
    .unwrap()
}

async fn create(api: &Api<ConfigMap>, name: &str) {
    api.create(&PostParams::default(), &config_map(name, json!({}))).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reflector_survives_watch_timeouts_and_expired_versions() {
    let url = server(10).await;
    let api: Api<ConfigMap> = Api::namespaced(client(&url, None), "default");
    create(&api, "before").await;
    let (store, writer) = reflector::store();
    // Watches that end after one second force the watcher to re-watch from its last version.
    let config = watcher::Config::default().timeout(1);
    let mut stream = Box::pin(reflector(writer, watcher(api.clone(), config)).applied_objects());
    let first = tokio::time::timeout(Duration::from_secs(10), stream.try_next()).await.unwrap().unwrap().unwrap();
    assert_eq!(first.metadata.name.as_deref(), Some("before"));

    // While nobody reads, more changes than the server remembers go by, and the watch times out:
    // the watcher's next watch is from an expired version, answered 410, and it lists again.
    for index in 0..30 {
        create(&api, &format!("burst-{index}")).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    create(&api, "after").await;
    // Drive the stream in the background; the store is what a controller reads.
    let expired_seen = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = expired_seen.clone();
    tokio::spawn(async move {
        while let Some(item) = stream.next().await {
            match item {
                Ok(_) => {}
                // The watcher reports the 410 as an item, then lists again by itself.
                Err(watcher::Error::WatchError(status)) if status.code == 410 => {
                    seen.store(true, std::sync::atomic::Ordering::SeqCst)
                }
                Err(other) => panic!("unexpected watcher error: {other:?}"),
            }
        }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while store.state().len() < 32 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the reflector caught up in time ({} of 32)",
            store.state().len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(expired_seen.load(std::sync::atomic::Ordering::SeqCst), "the resumed watch was answered 410 Gone");
    assert!(store.state().iter().any(|cm| cm.metadata.name.as_deref() == Some("after")));
}

#[tokio::test]
async fn an_expired_resource_version_is_410_gone() {
    let url = server(5).await;
    let api: Api<ConfigMap> = Api::namespaced(client(&url, None), "default");
    for index in 0..10 {
        create(&api, &format!("cm-{index}")).await;
    }
    let mut events = api.watch(&WatchParams::default().timeout(5), "1").await.unwrap().boxed();
    match events.try_next().await.unwrap() {
        Some(WatchEvent::Error(error)) => assert_eq!((error.code, error.reason.as_str()), (410, "Expired")),
        other => panic!("expected 410 Gone, got {other:?}"),
    }
    let list = api.list(&ListParams::default().limit(4)).await.unwrap();
    assert_eq!(list.items.len(), 4);
    assert!(list.metadata.continue_.is_some());
}

#[tokio::test]
async fn server_side_apply_through_patch_apply() {
    let url = server(1000).await;
    let api: Api<ConfigMap> = Api::namespaced(client(&url, None), "default");
    let flux = PatchParams::apply("kustomize-controller");
    let created = api.patch("app", &flux, &Patch::Apply(config_map("app", json!({"a": "1", "b": "2"})))).await.unwrap();
    assert_eq!(created.data.unwrap().len(), 2);
    let managers: Vec<String> =
        created.metadata.managed_fields.unwrap().into_iter().filter_map(|entry| entry.manager).collect();
    assert_eq!(managers, ["kustomize-controller"]);

    let pruned = api.patch("app", &flux, &Patch::Apply(config_map("app", json!({"a": "1"})))).await.unwrap();
    assert_eq!(
        pruned.data.unwrap().keys().collect::<Vec<_>>(),
        ["a"],
        "b left the applied set, and had no other owner"
    );

    let other = PatchParams::apply("someone-else");
    let conflict =
        api.patch("app", &other, &Patch::Apply(config_map("app", json!({"a": "changed"})))).await.unwrap_err();
    assert!(matches!(conflict, kube::Error::Api(ref error) if error.code == 409), "{conflict:?}");
    let forced =
        api.patch("app", &other.force(), &Patch::Apply(config_map("app", json!({"a": "changed"})))).await.unwrap();
    assert_eq!(forced.data.unwrap()["a"], "changed");

    let dry = api
        .patch("app", &PatchParams::apply("x").dry_run(), &Patch::Apply(config_map("app", json!({"z": "1"}))))
        .await
        .unwrap();
    assert!(dry.data.unwrap().contains_key("z"));
    assert!(!api.get("app").await.unwrap().data.unwrap().contains_key("z"), "dry run persisted nothing");
}

#[tokio::test]
async fn finalizers_keep_an_object_until_released() {
    let url = server(1000).await;
    let api: Api<ConfigMap> = Api::namespaced(client(&url, None), "default");
    create(&api, "guarded").await;
    let finalizer = json!({ "metadata": { "finalizers": ["weir.dev/cleanup"] } });
    api.patch("guarded", &PatchParams::default(), &Patch::Merge(&finalizer)).await.unwrap();
    let deleted = api.delete("guarded", &DeleteParams::default()).await.unwrap();
    let pending = deleted.left().expect("deletion waits for the finalizer");
    assert!(pending.metadata.deletion_timestamp.is_some());
    let release = json!({ "metadata": { "finalizers": null } });
    api.patch("guarded", &PatchParams::default(), &Patch::Merge(&release)).await.unwrap();
    assert!(api.get_opt("guarded").await.unwrap().is_none());
}

#[tokio::test]
async fn impersonation_is_confined_by_rbac() {
    let url = server(1000).await;
    let admin = client(&url, None);
    let setup: Vec<serde_json::Value> = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-b"}}),
    ];
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(admin.clone());
    for namespace in setup {
        namespaces.create(&PostParams::default(), &serde_json::from_value(namespace).unwrap()).await.unwrap();
    }
    let bindings: Api<k8s_openapi::api::rbac::v1::RoleBinding> = Api::namespaced(admin.clone(), "team-a");
    let binding = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "tenant"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
        "subjects": [{"kind": "ServiceAccount", "name": "reconciler", "namespace": "team-a"}],
    });
    bindings.create(&PostParams::default(), &serde_json::from_value(binding).unwrap()).await.unwrap();

    let tenant = client(&url, Some("system:serviceaccount:team-a:reconciler"));
    let own: Api<ConfigMap> = Api::namespaced(tenant.clone(), "team-a");
    create(&own, "allowed").await;
    let foreign: Api<ConfigMap> = Api::namespaced(tenant, "team-b");
    let denied = foreign.create(&PostParams::default(), &config_map("sneaky", json!({}))).await.unwrap_err();
    assert!(
        matches!(denied, kube::Error::Api(ref error) if error.code == 403 && error.reason == "Forbidden"),
        "{denied:?}"
    );
    let team_b: Api<ConfigMap> = Api::namespaced(admin, "team-b");
    assert!(team_b.get_opt("sneaky").await.unwrap().is_none());
}

#[tokio::test]
async fn bookmarks_and_delete_collection() {
    let url = server(1000).await;
    let api: Api<ConfigMap> = Api::namespaced(client(&url, None), "default");
    for (name, app) in [("a", "x"), ("b", "x"), ("c", "y")] {
        let labelled =
            json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": name, "labels": { "app": app } } });
        api.create(&PostParams::default(), &serde_json::from_value(labelled).unwrap()).await.unwrap();
    }
    let version = api.list(&ListParams::default()).await.unwrap().metadata.resource_version.unwrap();
    let mut events = api.watch(&WatchParams::default().timeout(1), &version).await.unwrap().boxed();
    match events.try_next().await.unwrap() {
        Some(WatchEvent::Bookmark(bookmark)) => assert_eq!(bookmark.metadata.resource_version, version),
        other => panic!("expected a bookmark, got {other:?}"),
    }
    api.delete_collection(&DeleteParams::default(), &ListParams::default().labels("app=x")).await.unwrap();
    let left: Vec<String> =
        api.list(&ListParams::default()).await.unwrap().items.into_iter().filter_map(|cm| cm.metadata.name).collect();
    assert_eq!(left, ["c"]);
}

/// With a label selector, leaving the selection is a DELETED event and
/// entering it an ADDED one, as kube-apiserver reports them.
#[tokio::test]
async fn selector_watches_see_objects_enter_and_leave() {
    let url = server(1000).await;
    let api: Api<ConfigMap> = Api::namespaced(client(&url, None), "default");
    let version = api.list(&ListParams::default()).await.unwrap().metadata.resource_version.unwrap();
    let params = WatchParams::default().labels("tier=web").timeout(10);
    let mut events = api.watch(&params, &version).await.unwrap().boxed();
    let labelled = |tier: &str| json!({ "metadata": { "labels": { "tier": tier } } });
    create(&api, "moving").await;
    api.patch("moving", &PatchParams::default(), &Patch::Merge(labelled("web"))).await.unwrap();
    api.patch("moving", &PatchParams::default(), &Patch::Merge(labelled("db"))).await.unwrap();
    api.patch("moving", &PatchParams::default(), &Patch::Merge(json!({ "data": { "x": "1" } }))).await.unwrap();
    api.patch("moving", &PatchParams::default(), &Patch::Merge(labelled("web"))).await.unwrap();
    let mut kinds = Vec::new();
    while kinds.len() < 3 {
        match events.try_next().await.unwrap() {
            Some(WatchEvent::Added(_)) => kinds.push("ADDED"),
            Some(WatchEvent::Modified(_)) => kinds.push("MODIFIED"),
            Some(WatchEvent::Deleted(_)) => kinds.push("DELETED"),
            Some(WatchEvent::Bookmark(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(kinds, ["ADDED", "DELETED", "ADDED"]);
}

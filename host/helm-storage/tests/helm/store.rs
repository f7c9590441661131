//! The store against the API server: each call, and the typed errors
//! naming the release and the Secret.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{ObjectMeta, PostParams};
use weir_helm_storage::{CodecError, Info, Release, Status, StoreError};

use crate::cluster::Cluster;

fn revision(version: i64, status: Status) -> Release {
    Release {
        name: "app".into(),
        namespace: "default".into(),
        version,
        info: Info { status, description: format!("revision {version}"), ..Info::default() },
        manifest: format!("# revision {version}"),
        labels: BTreeMap::from([("tier".into(), "web".into())]),
        ..Release::default()
    }
}

#[tokio::test]
async fn create_get_update_history_and_delete() {
    let cluster = Cluster::start().await;
    let store = cluster.store();
    assert_eq!(store.namespace(), "default");
    assert!(store.history("app").await.unwrap().is_empty());

    let first = revision(1, Status::DEPLOYED);
    store.create(&first).await.unwrap();
    let error = store.create(&first).await.unwrap_err();
    assert!(
        matches!(&error, StoreError::AlreadyExists { secret, .. } if secret == "sh.helm.release.v1.app.v1"),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "release app v1 already exists: Secret default/sh.helm.release.v1.app.v1");
    assert_eq!(store.get("app", 1).await.unwrap(), first);
    let labels = cluster.secrets().get("sh.helm.release.v1.app.v1").await.unwrap().metadata.labels.unwrap();
    assert!(labels["createdAt"].parse::<i64>().is_ok() && !labels.contains_key("modifiedAt"), "{labels:?}");

    // A second revision, the first superseded: the history comes back oldest first.
    store.create(&revision(2, Status::DEPLOYED)).await.unwrap();
    store
        .update(&Release { info: Info { status: Status::SUPERSEDED, ..first.info.clone() }, ..first.clone() })
        .await
        .unwrap();
    let history = store.history("app").await.unwrap();
    let summary: Vec<(i64, &Status)> = history.iter().map(|r| (r.version, &r.info.status)).collect();
    assert_eq!(summary, [(1, &Status::SUPERSEDED), (2, &Status::DEPLOYED)]);
    let labels = cluster.secrets().get("sh.helm.release.v1.app.v1").await.unwrap().metadata.labels.unwrap();
    assert_eq!((labels["status"].as_str(), labels.contains_key("createdAt")), ("superseded", false));
    assert!(labels["modifiedAt"].parse::<i64>().is_ok(), "{labels:?}");
    // Another release's revisions are not in this one's history.
    store.create(&Release { name: "other".into(), ..revision(1, Status::DEPLOYED) }).await.unwrap();
    assert_eq!(store.history("app").await.unwrap().len(), 2);

    store.delete("app", 1).await.unwrap();
    let error = store.get("app", 1).await.unwrap_err();
    assert_eq!(error.to_string(), "release app v1 not found: no Secret default/sh.helm.release.v1.app.v1");
    assert!(matches!(store.delete("app", 1).await, Err(StoreError::NotFound { version: 1, .. })));
    assert!(matches!(store.update(&first).await, Err(StoreError::NotFound { version: 1, .. })));
    assert_eq!(store.history("app").await.unwrap(), [revision(2, Status::DEPLOYED)]);
}

#[tokio::test]
async fn an_unreadable_record_fails_naming_its_secret() {
    let cluster = Cluster::start().await;
    let store = cluster.store();
    store.create(&revision(1, Status::DEPLOYED)).await.unwrap();
    let corrupt = Secret {
        metadata: ObjectMeta {
            name: Some("sh.helm.release.v1.app.v2".into()),
            labels: Some(BTreeMap::from([("owner".into(), "helm".into()), ("name".into(), "app".into())])),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([("release".into(), ByteString(b"%%%".to_vec()))])),
        ..Secret::default()
    };
    cluster.secrets().create(&PostParams::default(), &corrupt).await.unwrap();
    for error in [store.history("app").await.unwrap_err(), store.get("app", 2).await.unwrap_err()] {
        assert!(
            matches!(&error, StoreError::Codec(CodecError::Decode { secret, .. }) if secret == "sh.helm.release.v1.app.v2"),
            "{error:?}"
        );
        assert!(
            error.to_string().starts_with("Secret sh.helm.release.v1.app.v2: release data is not base64"),
            "{error}"
        );
    }
    // A release with labels Helm reserves is refused before anything is written.
    let mut labelled = revision(3, Status::DEPLOYED);
    labelled.labels.insert("owner".into(), "me".into());
    assert!(matches!(store.create(&labelled).await, Err(StoreError::Codec(CodecError::SystemLabel { .. }))));
    assert!(matches!(store.get("app", 3).await, Err(StoreError::NotFound { .. })));
}

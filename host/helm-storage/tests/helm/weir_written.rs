//! A release the crate wrote, read by the helm CLI field by field (`list`,
//! `history`, `get values|manifest|hooks|notes|metadata`, `status`), then
//! taken over by `helm upgrade`, `helm rollback` and `helm uninstall`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ObjectMeta, PostParams};
use serde_json::{Value, json};
use weir_helm_storage::{
    Chart, Dependency, File, Hook, HookDeletePolicy, HookEvent, HookExecution, HookPhase, Info, Lock, Maintainer,
    Metadata, Release, Status, Timestamp, secret_name,
};

use crate::cluster::Cluster;

const CHART_YAML: &str =
    "apiVersion: v2\nname: hello\nversion: 1.2.3\nappVersion: \"4.5\"\ndescription: Says hello.\ntype: application\n";
const VALUES_YAML: &str = "greeting: hi\ncolor: blue\n";
const CONFIGMAP_TEMPLATE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-greeting\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  color: {{ .Values.color | quote }}\n";
const HOOK_TEMPLATE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    \"helm.sh/hook\": post-install,post-upgrade,post-rollback\n    \"helm.sh/hook-weight\": \"5\"\n    \"helm.sh/hook-delete-policy\": before-hook-creation\ndata:\n  revision: {{ .Release.Revision | quote }}\n";
const NOTES_TEMPLATE: &str = "Greeting is {{ .Values.greeting }}.\n";

/// When revision 1 was deployed: a UTC time with nanoseconds.
fn deployed_at() -> Timestamp {
    Timestamp::from_unix(1_735_787_045, 123_456_789).unwrap()
}

fn rendered_configmap(greeting: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello-greeting\ndata:\n  greeting: \"{greeting}\"\n  color: \"blue\""
    )
}

fn hook_manifest() -> String {
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello-hook\n  annotations:\n    \"helm.sh/hook\": post-install,post-upgrade,post-rollback\n    \"helm.sh/hook-weight\": \"5\"\n    \"helm.sh/hook-delete-policy\": before-hook-creation\ndata:\n  revision: \"1\"".into()
}

fn file(name: &str, data: &str) -> File {
    File { name: name.into(), data: data.as_bytes().to_vec(), modtime: None }
}

/// Revision 1 of `hello` as an install by weir would record it, in Helm 3's
/// shape (zero times as `""`) so that Helm 3 writes it back byte for byte.
fn release() -> Release {
    let dependency = Dependency {
        name: "common".into(),
        version: "2.x".into(),
        repository: "https://charts.example.com".into(),
        condition: "common.enabled".into(),
        tags: vec!["shared".into()],
        import_values: vec![json!("defaults"), json!({"child": "exports.data", "parent": "imported"})],
        alias: "base".into(),
        ..Dependency::default()
    };
    let metadata = Metadata {
        name: "hello".into(),
        home: "https://hello.example.com".into(),
        sources: vec!["https://git.example.com/hello".into()],
        version: "1.2.3".into(),
        description: "Says hello.".into(),
        keywords: vec!["greeting".into(), "demo".into()],
        maintainers: vec![Maintainer { name: "Weir".into(), email: "weir@example.com".into(), url: String::new() }],
        icon: "https://hello.example.com/icon.svg".into(),
        api_version: "v2".into(),
        app_version: "4.5".into(),
        annotations: BTreeMap::from([("category".into(), "demo".into())]),
        kube_version: ">=1.25.0-0".into(),
        dependencies: vec![dependency.clone()],
        type_: "application".into(),
        ..Metadata::default()
    };
    let chart = Chart {
        metadata: Some(metadata),
        lock: Some(Lock {
            generated: Timestamp::from_unix(1_735_700_000, 0).unwrap(),
            digest: "sha256:0a1b2c".into(),
            dependencies: Some(vec![Dependency { version: "2.3.4".into(), ..dependency }]),
        }),
        templates: vec![
            file("templates/configmap.yaml", CONFIGMAP_TEMPLATE),
            file("templates/hook.yaml", HOOK_TEMPLATE),
            file("templates/NOTES.txt", NOTES_TEMPLATE),
        ],
        values: Some(serde_json::from_value(json!({"greeting": "hi", "color": "blue"})).unwrap()),
        schema: Some(br#"{"type":"object","properties":{"greeting":{"type":"string"}}}"#.to_vec()),
        files: vec![
            file("README.md", "# hello\n"),
            File { name: "icon.bin".into(), data: vec![0, 159, 255], modtime: None },
        ],
        ..Chart::default()
    };
    Release {
        name: "hello".into(),
        info: Info {
            first_deployed: Some(deployed_at()),
            last_deployed: Some(deployed_at()),
            deleted: Some(Timestamp::ZERO),
            description: "Install complete".into(),
            status: Status::DEPLOYED,
            notes: "Greeting is hello.".into(),
            ..Info::default()
        },
        chart: Some(chart),
        config: serde_json::from_value(json!({"greeting": "hello"})).unwrap(),
        manifest: format!("---\n# Source: hello/templates/configmap.yaml\n{}", rendered_configmap("hello")),
        hooks: vec![Hook {
            name: "hello-hook".into(),
            kind: "ConfigMap".into(),
            path: "hello/templates/hook.yaml".into(),
            manifest: hook_manifest(),
            events: vec![HookEvent::POST_INSTALL, HookEvent::POST_UPGRADE, HookEvent::POST_ROLLBACK],
            last_run: HookExecution {
                started_at: Some(deployed_at()),
                completed_at: Some(deployed_at()),
                phase: HookPhase::SUCCEEDED,
            },
            weight: 5,
            delete_policies: vec![HookDeletePolicy::BEFORE_HOOK_CREATION],
            ..Hook::default()
        }],
        version: 1,
        namespace: "default".into(),
        labels: BTreeMap::from([("team".into(), "greeters".into())]),
        ..Release::default()
    }
}

/// Go's `time.Time.String()` of a UTC time, as `helm list` prints it.
fn go_string(time: Timestamp) -> String {
    let text = time.to_string();
    format!("{} +0000 UTC", text.trim_end_matches('Z').replacen('T', " ", 1))
}

/// The chart on disk for `helm upgrade` (the same chart, no dependencies to fetch).
fn chart_dir(cluster: &Cluster) -> String {
    let dir = cluster.home.path().join("hello");
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("Chart.yaml"), CHART_YAML).unwrap();
    std::fs::write(dir.join("values.yaml"), VALUES_YAML).unwrap();
    std::fs::write(dir.join("templates/configmap.yaml"), CONFIGMAP_TEMPLATE).unwrap();
    std::fs::write(dir.join("templates/hook.yaml"), HOOK_TEMPLATE).unwrap();
    std::fs::write(dir.join("templates/NOTES.txt"), NOTES_TEMPLATE).unwrap();
    dir.to_str().unwrap().to_owned()
}

/// What a controller applies along with the record: the manifest's object,
/// with the ownership marks Helm adds when it applies.
async fn apply_manifest(cluster: &Cluster) {
    let config_map = ConfigMap {
        metadata: ObjectMeta {
            name: Some("hello-greeting".into()),
            labels: Some(BTreeMap::from([("app.kubernetes.io/managed-by".into(), "Helm".into())])),
            annotations: Some(BTreeMap::from([
                ("meta.helm.sh/release-name".into(), "hello".into()),
                ("meta.helm.sh/release-namespace".into(), "default".into()),
            ])),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([("greeting".into(), "hello".into()), ("color".into(), "blue".into())])),
        ..ConfigMap::default()
    };
    Api::<ConfigMap>::namespaced(cluster.client.clone(), "default")
        .create(&PostParams::default(), &config_map)
        .await
        .unwrap();
}

async fn config_map_data(cluster: &Cluster, name: &str) -> Option<BTreeMap<String, String>> {
    let found = Api::<ConfigMap>::namespaced(cluster.client.clone(), "default").get_opt(name).await.unwrap();
    found.map(|config_map| config_map.data.unwrap_or_default())
}

#[tokio::test]
async fn helm_reads_a_release_the_crate_wrote_field_by_field() {
    let cluster = Cluster::start().await;
    let release = release();
    cluster.store().create(&release).await.unwrap();
    let chart = release.chart.as_ref().unwrap();

    assert_eq!(
        cluster.helm_json(&["list"]),
        json!([{
            "name": "hello", "namespace": "default", "revision": "1", "updated": go_string(deployed_at()),
            "status": "deployed", "chart": "hello-1.2.3", "app_version": "4.5",
        }])
    );
    assert_eq!(
        cluster.helm_json(&["history", "hello"]),
        json!([{
            "revision": 1, "updated": deployed_at().to_string(), "status": "deployed",
            "chart": "hello-1.2.3", "app_version": "4.5", "description": "Install complete",
        }])
    );
    assert_eq!(cluster.helm_json(&["get", "values", "hello"]), json!({"greeting": "hello"}));
    // --all coalesces the chart's values under the user's: Helm read `chart.values` too.
    assert_eq!(cluster.helm_json(&["get", "values", "hello", "--all"]), json!({"greeting": "hello", "color": "blue"}));
    assert_eq!(cluster.helm(&["get", "manifest", "hello"]), format!("{}\n", release.manifest));
    let hook = &release.hooks[0];
    assert_eq!(cluster.helm(&["get", "hooks", "hello"]), format!("---\n# Source: {}\n{}\n", hook.path, hook.manifest));
    assert_eq!(cluster.helm(&["get", "notes", "hello"]), "NOTES:\nGreeting is hello.\n");
    let metadata = chart.metadata.as_ref().unwrap();
    assert_eq!(
        cluster.helm_json(&["get", "metadata", "hello"]),
        json!({
            "name": "hello", "chart": "hello", "version": "1.2.3", "appVersion": "4.5",
            "annotations": {"category": "demo"}, "dependencies": metadata.dependencies,
            "namespace": "default", "revision": 1, "status": "deployed",
            "deployedAt": Timestamp::from_unix(deployed_at().unix_seconds(), 0).unwrap().to_string(),
        })
    );
    // `helm status -o json` prints the whole record but the chart: every field as Helm parsed it.
    let mut expected = serde_json::to_value(&release).unwrap();
    expected.as_object_mut().unwrap().remove("chart");
    assert_eq!(cluster.helm_json(&["status", "hello"]), expected);
}

#[tokio::test]
async fn helm_upgrades_rolls_back_and_uninstalls_a_release_the_crate_wrote() {
    let cluster = Cluster::start().await;
    let ours = release();
    cluster.store().create(&ours).await.unwrap();
    apply_manifest(&cluster).await;
    let chart = chart_dir(&cluster);

    cluster.helm(&["upgrade", "hello", &chart, "--set", "greeting=bye"]);
    let history = cluster.store().history("hello").await.unwrap();
    let summary: Vec<(i64, &Status)> = history.iter().map(|r| (r.version, &r.info.status)).collect();
    assert_eq!(summary, [(1, &Status::SUPERSEDED), (2, &Status::DEPLOYED)]);
    // Helm superseded revision 1 by reading our record into its structs and
    // writing it back: the JSON is ours but for the status, so Helm 3 knows
    // every field we write and writes each as we do.
    let mut expected = ours.clone();
    expected.info.status = Status::SUPERSEDED;
    assert_eq!(cluster.raw_release_json(&secret_name("hello", 1)).await, serde_json::to_value(&expected).unwrap());
    assert_eq!(history[0], expected);
    let upgraded = &history[1];
    assert_eq!(Value::Object(upgraded.config.clone()), json!({"greeting": "bye"}));
    assert_eq!(upgraded.info.first_deployed, Some(deployed_at()));
    assert_eq!(upgraded.labels, ours.labels);
    assert!(upgraded.manifest.contains(&rendered_configmap("bye")), "{}", upgraded.manifest);
    assert_eq!(config_map_data(&cluster, "hello-greeting").await.unwrap()["greeting"], "bye");

    cluster.helm(&["rollback", "hello", "1"]);
    let history = cluster.store().history("hello").await.unwrap();
    let summary: Vec<(i64, &Status)> = history.iter().map(|r| (r.version, &r.info.status)).collect();
    assert_eq!(summary, [(1, &Status::SUPERSEDED), (2, &Status::SUPERSEDED), (3, &Status::DEPLOYED)]);
    let rolled_back = &history[2];
    assert_eq!(rolled_back.info.description, "Rollback to 1");
    // The new revision is ours again: chart (lock, schema, files and all), values, manifest, hooks, labels.
    assert_eq!((&rolled_back.chart, &rolled_back.config), (&ours.chart, &ours.config));
    assert_eq!((&rolled_back.manifest, &rolled_back.labels), (&ours.manifest, &ours.labels));
    assert_eq!(rolled_back.info.notes, ours.info.notes);
    // Helm ran our post-rollback hook from the record, and stamped its run.
    let [hook] = rolled_back.hooks.as_slice() else { panic!("{:?}", rolled_back.hooks) };
    assert_eq!(Hook { last_run: ours.hooks[0].last_run.clone(), ..hook.clone() }, ours.hooks[0]);
    assert_eq!(hook.last_run.phase, HookPhase::SUCCEEDED);
    let (started, completed) = (hook.last_run.started_at.unwrap(), hook.last_run.completed_at.unwrap());
    assert!(
        started.unix_seconds() > deployed_at().unix_seconds() && completed.unix_seconds() >= started.unix_seconds()
    );
    assert_eq!(config_map_data(&cluster, "hello-hook").await.unwrap()["revision"], "1");
    assert_eq!(config_map_data(&cluster, "hello-greeting").await.unwrap()["greeting"], "hello");
    for release in &history {
        let helm_json = cluster.raw_release_json(&secret_name("hello", release.version)).await;
        assert_eq!(serde_json::to_value(release).unwrap(), helm_json, "revision {}", release.version);
    }

    assert_eq!(cluster.helm(&["uninstall", "hello"]), "release \"hello\" uninstalled\n");
    assert!(cluster.store().history("hello").await.unwrap().is_empty());
    assert_eq!(config_map_data(&cluster, "hello-greeting").await, None);
}

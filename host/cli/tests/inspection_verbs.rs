//! The verbs that inspect a cluster, on `weir dev`: `weir export` keeps only what belongs in a
//! fleet repository (and applies again unchanged); `weir tree` follows nested Kustomizations
//! and a HelmRelease's objects from its Helm storage; `weir stats` counts per kind; `weir
//! events` shows an object's events with its source's; `weir trace` finds an object's manager
//! and source.

mod common;

use common::{Dev, eventually, field, kubectl};
use serde_json::Value;

const HELM_RELEASE: &str = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: hello\n  namespace: flux-system\n\
spec:\n  interval: 1h\n  targetNamespace: default\n  chart:\n    spec:\n      chart: ./charts/hello\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n";

#[test]
fn export_tree_stats_events_and_trace_show_the_cluster_as_flux_does() {
    let dir = tempfile::tempdir().unwrap();
    let apps = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\n\
                spec:\n  interval: 1h\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n";
    let repository = common::fleet_repository(
        dir.path(),
        &[
            ("clusters/apps.yaml", apps.to_owned()),
            ("clusters/hello.yaml", HELM_RELEASE.to_owned()),
            ("apps/settings.yaml", weir_testkit::manifests::config_map("default", "settings", "one")),
            ("charts/hello/Chart.yaml", "apiVersion: v2\nname: hello\nversion: 1.0.0\n".to_owned()),
            (
                "charts/hello/templates/greeting.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-greeting\ndata:\n  hello: world\n".to_owned(),
            ),
        ],
    );
    let dev = Dev::start(&repository, "clusters", dir.path());
    let ready = |kind: &str, name: &str| {
        field(&dev, &["get", kind, name, "-n", "flux-system"], "{.status.conditions[?(@.type==\"Ready\")].status}")
    };
    eventually("Kustomization apps", || ready("kustomization", "apps"), |ready| ready == "True");
    eventually("HelmRelease hello", || ready("helmrelease", "hello"), |ready| ready == "True");

    let tree = dev.weir(&["tree", "kustomization", "flux-system"]);
    assert!(tree.status.success(), "{}", String::from_utf8_lossy(&tree.stderr));
    assert_eq!(
        String::from_utf8_lossy(&tree.stdout),
        "Kustomization/flux-system/flux-system\n\
         ├── Kustomization/flux-system/apps\n\
         │   └── ConfigMap/default/settings\n\
         └── HelmRelease/flux-system/hello\n\
         \x20   └── ConfigMap/default-hello-greeting\n\n"
    );
    let compact = dev.weir(&["tree", "kustomization", "flux-system", "--compact"]);
    assert_eq!(
        String::from_utf8_lossy(&compact.stdout),
        "Kustomization/flux-system/flux-system\n├── Kustomization/flux-system/apps\n└── HelmRelease/flux-system/hello\n\n"
    );

    // Only type, identity, labels, annotations and spec: no status, uid or managed fields.
    let exported = dev.weir(&["export", "kustomization", "apps"]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let text = String::from_utf8(exported.stdout).unwrap();
    assert!(
        text.starts_with("---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"),
        "{text}"
    );
    let object = &common::documents(&text)[0];
    let mut keys: Vec<&String> = object.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);
    let mut metadata: Vec<&String> = object["metadata"].as_object().unwrap().keys().collect();
    metadata.sort();
    assert_eq!(metadata, ["labels", "name", "namespace"]);
    assert_eq!(object["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"], "flux-system");
    assert_eq!(object["spec"]["path"], "./apps");
    // What export prints applies as it is.
    kubectl(&dev.kubeconfig, &["apply", "--dry-run=server", "-f", "-"], Some(&text));

    // --with-credentials: the Secret a source names follows it, data and type only.
    let private = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: flux-system\n  labels:\n    team: a\n\
                   type: Opaque\nstringData:\n  username: git\n  password: s3cret\n---\n\
                   apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: private\n  namespace: flux-system\n\
                   spec:\n  interval: 1h\n  url: http://127.0.0.1:1/private.git\n  secretRef:\n    name: creds\n";
    kubectl(&dev.kubeconfig, &["apply", "-f", "-"], Some(private));
    let exported = dev.weir(&["export", "source", "git", "private", "--with-credentials"]);
    let objects = common::documents(&String::from_utf8_lossy(&exported.stdout));
    assert_eq!(objects.len(), 2, "{}", String::from_utf8_lossy(&exported.stdout));
    assert_eq!(objects[1]["kind"], "Secret");
    assert_eq!(objects[1]["metadata"], serde_json::json!({"name": "creds", "namespace": "flux-system"}));
    assert_eq!(objects[1]["type"], "Opaque");
    assert_eq!(objects[1]["data"]["password"], "czNjcmV0");
    let all = dev.weir(&["export", "source", "git", "--all"]);
    let names: Vec<Value> = common::documents(&String::from_utf8_lossy(&all.stdout))
        .iter()
        .map(|object| object["metadata"]["name"].clone())
        .collect();
    assert_eq!(names, ["flux-system", "private"]);

    // stats: per kind, running (not suspended), failing (Ready False), suspended, storage.
    let row = |table: &str, kind: &str| -> Vec<String> {
        let line = table.lines().find(|line| line.starts_with(&format!("{kind} "))).unwrap_or_default();
        line.split('\t').map(|cell| cell.trim().to_owned()).filter(|cell| !cell.is_empty()).collect()
    };
    let stats = || Some(String::from_utf8(dev.weir(&["stats"]).stdout).unwrap());
    // The private source fails (nothing serves it); flux-system's artifact has a size.
    let table = eventually("stats", stats, |table| row(table, "GitRepository").get(2).map(String::as_str) == Some("1"));
    assert!(table.starts_with("RECONCILERS          \tRUNNING\tFAILING\tSUSPENDED\tSTORAGE \n"), "{table}");
    let git = row(&table, "GitRepository");
    assert_eq!(git[..4], ["GitRepository", "2", "1", "0"], "{table}");
    assert!(git[4].ends_with("KiB") || git[4].ends_with(" B"), "{table}");
    assert_eq!(row(&table, "Kustomization"), ["Kustomization", "2", "0", "0", "-"], "{table}");
    assert_eq!(row(&table, "HelmRelease"), ["HelmRelease", "1", "0", "0", "-"], "{table}");
    assert_eq!(row(&table, "ImagePolicy"), ["ImagePolicy", "0", "0", "0", "-"], "{table}");

    // events --for a Kustomization: its own, and its source's.
    let events = dev.weir(&["events", "--for", "Kustomization/apps"]);
    let table = String::from_utf8_lossy(&events.stdout);
    assert!(events.status.success(), "{}", String::from_utf8_lossy(&events.stderr));
    let header: Vec<&str> = table.lines().next().unwrap_or_default().split('\t').map(str::trim).collect();
    assert_eq!(header, ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], "{table}");
    let objects: Vec<&str> = table.lines().skip(1).filter_map(|line| line.split('\t').nth(3)).map(str::trim).collect();
    assert!(objects.contains(&"Kustomization/apps"), "{table}");
    assert!(objects.contains(&"GitRepository/flux-system"), "{table}");
    assert!(
        objects.iter().all(|object| ["Kustomization/apps", "GitRepository/flux-system"].contains(object)),
        "{table}"
    );
    let warnings = dev.weir(&["events", "--types", "Warning"]);
    let warnings = String::from_utf8_lossy(&warnings.stdout);
    assert!(warnings.lines().skip(1).all(|line| line.contains("\tWarning")), "{warnings}");
    assert!(warnings.contains("GitRepository/private"), "the failing source warns: {warnings}");
    let none = dev.weir(&["events", "-n", "default"]);
    assert_eq!(String::from_utf8_lossy(&none.stderr), "✗ No events found in default namespace.\n");

    // trace: the manager and its source, each block aligned as flux aligns it.
    let commit = weir_testkit::git::git(&repository, &["rev-parse", "HEAD"]);
    let traced = dev.weir(&["trace", "configmap/settings", "-n", "default"]);
    let report = String::from_utf8_lossy(&traced.stdout);
    assert!(traced.status.success(), "{}", String::from_utf8_lossy(&traced.stderr));
    let expected_start = format!(
        "\nObject:          ConfigMap/settings\nNamespace:       default\nStatus:          Managed by Flux\n---\n\
         Kustomization:   apps\nNamespace:       flux-system\nPath:            ./apps\nRevision:        main@sha1:{commit}\n\
         Status:          Last reconciled at "
    );
    assert!(report.starts_with(&expected_start), "{report}");
    assert!(
        report.contains(&format!(
            "Message:         Applied revision: main@sha1:{commit}\n---\nGitRepository:   flux-system\n"
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!("URL:             file://{}\nBranch:          main\n", repository.display())),
        "{report}"
    );
    let traced = dev.weir(&["trace", "configmap", "default-hello-greeting", "-n", "default"]);
    let report = String::from_utf8_lossy(&traced.stdout);
    assert!(
        report.contains(
            "\n---\nHelmRelease:    hello\nNamespace:      flux-system\nTarget:         default\nRevision:       1.0.0"
        ),
        "{report}"
    );
    assert!(
        report.contains(
            "\n---\nHelmChart:      flux-system-hello\nNamespace:      flux-system\nChart:          ./charts/hello\n"
        ),
        "{report}"
    );
    assert!(report.contains("\n---\nGitRepository: flux-system\nNamespace:     flux-system\n"), "{report}");
    let unmanaged = dev.weir(&["trace", "namespace/default"]);
    assert_eq!(String::from_utf8_lossy(&unmanaged.stderr), "✗ object not managed by Flux\n");

    let missing = dev.weir(&["export", "helmrelease", "--all", "-n", "default"]);
    assert!(!missing.status.success());
    assert_eq!(String::from_utf8_lossy(&missing.stderr), "✗ no objects found in default namespace\n");
}

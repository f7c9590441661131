//! The embedded API server driven by real kubectl (/usr/bin/kubectl), as a
//! user would: every assertion is about what kubectl prints or does.

mod cluster;
mod create;
mod events;
mod helm;
mod writes;

use std::process::Stdio;

use cluster::Cluster;

const DEPLOYMENT: &str = "
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
";

#[test]
fn api_resources_and_namespaces() {
    let cluster = Cluster::start();
    let resources = cluster.ok(&["api-resources"]);
    for expected in
        ["deployments", "deploy", "apps/v1", "configmaps", "customresourcedefinitions", "clusterroles", "leases"]
    {
        assert!(resources.contains(expected), "api-resources lacks {expected}:\n{resources}");
    }
    let namespaces = cluster.ok(&["get", "namespaces", "-o", "name"]);
    assert_eq!(
        namespaces,
        "namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\n"
    );
    assert!(cluster.ok(&["version"]).contains("Server Version: v1.32"));
}

#[test]
fn apply_creates_with_server_owned_metadata() {
    let cluster = Cluster::start();
    assert_eq!(cluster.ok_with(&["apply", "-f", "-"], Some(DEPLOYMENT)), "deployment.apps/web created\n");
    let deployment = cluster.json(&["get", "deployment", "web"]);
    let metadata = &deployment["metadata"];
    assert_eq!(metadata["generation"], 1);
    assert_eq!(metadata["namespace"], "default");
    assert!(metadata["uid"].as_str().is_some_and(|uid| uid.len() == 36));
    assert!(metadata["creationTimestamp"].as_str().is_some_and(|time| time.ends_with('Z')));
    assert!(metadata["resourceVersion"].as_str().unwrap().parse::<u64>().is_ok());
    assert_eq!(deployment["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.27");
    let yaml = cluster.ok(&["get", "deploy", "web", "-o", "yaml"]);
    assert!(yaml.contains("kind: Deployment") && yaml.contains("replicas: 2"), "{yaml}");
}

#[test]
fn labels_annotations_and_selectors() {
    let cluster = Cluster::start();
    for (name, tier) in [("a", "front"), ("b", "back"), ("c", "")] {
        let manifest = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n");
        cluster.ok_with(&["apply", "-f", "-"], Some(&manifest));
        if !tier.is_empty() {
            assert_eq!(
                cluster.ok(&["label", "configmap", name, &format!("tier={tier}")]),
                format!("configmap/{name} labeled\n")
            );
        }
    }
    cluster.ok(&["annotate", "configmap", "a", "owner=team-a"]);
    let names = |selector: &str| cluster.ok(&["get", "configmaps", "-l", selector, "-o", "name"]);
    assert_eq!(names("tier=front"), "configmap/a\n");
    assert_eq!(names("tier!=front"), "configmap/b\nconfigmap/c\n");
    assert_eq!(names("tier in (front,back)"), "configmap/a\nconfigmap/b\n");
    assert_eq!(names("tier notin (front)"), "configmap/b\nconfigmap/c\n");
    assert_eq!(names("tier"), "configmap/a\nconfigmap/b\n");
    assert_eq!(names("!tier"), "configmap/c\n");
    let by_field = cluster.ok(&["get", "configmaps", "--field-selector", "metadata.name=b", "-o", "name"]);
    assert_eq!(by_field, "configmap/b\n");
    assert_eq!(cluster.json(&["get", "configmap", "a"])["metadata"]["annotations"]["owner"], "team-a");
    cluster.ok(&["label", "configmap", "a", "tier-"]);
    assert_eq!(names("tier"), "configmap/b\n");
}

#[test]
fn patches_and_generation() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(DEPLOYMENT));
    cluster.ok(&["patch", "deployment", "web", "--type", "merge", "-p", r#"{"spec":{"replicas":5}}"#]);
    let patched = cluster.json(&["get", "deployment", "web"]);
    assert_eq!((patched["spec"]["replicas"].as_i64(), patched["metadata"]["generation"].as_i64()), (Some(5), Some(2)));
    cluster.ok(&[
        "patch",
        "deployment",
        "web",
        "--type",
        "json",
        "-p",
        r#"[{"op":"replace","path":"/spec/replicas","value":6}]"#,
    ]);
    // Metadata changes do not bump the generation; spec changes do.
    cluster.ok(&["label", "deployment", "web", "touched=yes"]);
    let patched = cluster.json(&["get", "deployment", "web"]);
    assert_eq!((patched["spec"]["replicas"].as_i64(), patched["metadata"]["generation"].as_i64()), (Some(6), Some(3)));
    let bad = cluster.fails(
        &["patch", "deployment", "web", "--type", "json", "-p", r#"[{"op":"remove","path":"/spec/nothing"}]"#],
        None,
    );
    assert!(bad.contains("invalid patch"), "{bad}");
}

#[test]
fn watch_sees_changes_as_they_happen() {
    let cluster = Cluster::start();
    let mut watch = cluster
        .command(&["get", "configmaps", "--watch", "--output-watch-events", "-o", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut events =
        serde_json::Deserializer::from_reader(watch.stdout.take().unwrap()).into_iter::<serde_json::Value>();
    let mut next = || {
        let event = events.next().unwrap().unwrap();
        format!("{} {}", event["type"].as_str().unwrap(), event["object"]["metadata"]["name"].as_str().unwrap())
    };
    // The first event proves the watch is running before the changes under test.
    cluster.ok_with(&["apply", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sentinel}\n"));
    assert_eq!(next(), "ADDED sentinel");
    cluster.ok_with(&["apply", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\n"));
    cluster.ok(&["label", "configmap", "watched", "seen=yes"]);
    cluster.ok(&["delete", "configmap", "watched"]);
    let seen: Vec<String> = (0..3).map(|_| next()).collect();
    watch.kill().unwrap();
    assert_eq!(seen, ["ADDED watched", "MODIFIED watched", "DELETED watched"]);
}

#[test]
fn finalizers_hold_deletion_until_removed() {
    let cluster = Cluster::start();
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, finalizers: [example.com/hold]}\n";
    cluster.ok_with(&["apply", "-f", "-"], Some(manifest));
    cluster.ok(&["delete", "configmap", "held", "--wait=false"]);
    let held = cluster.json(&["get", "configmap", "held"]);
    assert!(held["metadata"]["deletionTimestamp"].is_string(), "{held}");
    cluster.ok(&["patch", "configmap", "held", "--type", "merge", "-p", r#"{"metadata":{"finalizers":null}}"#]);
    let gone = cluster.fails(&["get", "configmap", "held"], None);
    assert!(gone.contains(r#"configmaps "held" not found"#), "{gone}");
}

#[test]
fn deleting_a_namespace_deletes_its_contents() {
    let cluster = Cluster::start();
    cluster.ok(&["create", "namespace", "doomed"]);
    cluster.ok_with(&["apply", "-n", "doomed", "-f", "-"], Some(DEPLOYMENT));
    cluster.ok(&["delete", "namespace", "doomed"]);
    assert!(cluster.fails(&["get", "namespace", "doomed"], None).contains("NotFound"));
    assert!(cluster.ok(&["get", "deployments", "-A", "-o", "name"]).is_empty());
    let refused = cluster.fails(&["apply", "-n", "missing", "-f", "-"], Some(DEPLOYMENT));
    assert!(refused.contains(r#"namespaces "missing" not found"#), "{refused}");
}

#[test]
fn conflicts_errors_and_dry_run() {
    let cluster = Cluster::start();
    cluster.ok_with(
        &["apply", "-f", "-"],
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: '1'}\n"),
    );
    let stale = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, resourceVersion: '1'}\ndata: {a: '2'}\n";
    let conflict = cluster.fails(&["replace", "-f", "-"], Some(stale));
    assert!(conflict.contains("the object has been modified"), "{conflict}");
    let exists = cluster.fails(&["create", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"));
    assert!(exists.contains("AlreadyExists") && exists.contains(r#"configmaps "cm" already exists"#), "{exists}");
    let invalid =
        cluster.fails(&["create", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Not_Valid}\n"));
    assert!(invalid.contains(r#"ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value"#), "{invalid}");
    let dry = cluster.ok_with(
        &["apply", "--dry-run=server", "-f", "-"],
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry}\n"),
    );
    assert!(dry.contains("configmap/dry created (server dry run)"), "{dry}");
    assert!(cluster.fails(&["get", "configmap", "dry"], None).contains("NotFound"));
    let generated = cluster.ok_with(
        &["create", "-f", "-", "-o", "name"],
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-}\n"),
    );
    assert!(
        generated.starts_with("configmap/gen-") && generated.trim().len() == "configmap/gen-".len() + 5,
        "{generated}"
    );
}

#[test]
fn lists_are_paginated() {
    let cluster = Cluster::start();
    let manifests: String = (0..7)
        .map(|index| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: page-{index}}}\n"))
        .collect();
    cluster.ok_with(&["apply", "-f", "-"], Some(&manifests));
    let all = cluster.ok(&["get", "configmaps", "--chunk-size=3", "-o", "name"]);
    assert_eq!(all.lines().count(), 7, "{all}");
    let first_page = cluster.ok(&["get", "--raw", "/api/v1/namespaces/default/configmaps?limit=3"]);
    let first_page: serde_json::Value = serde_json::from_str(&first_page).unwrap();
    assert_eq!(first_page["items"].as_array().unwrap().len(), 3);
    assert_eq!(first_page["metadata"]["remainingItemCount"], 4);
    let token = first_page["metadata"]["continue"].as_str().unwrap();
    let rest =
        cluster.ok(&["get", "--raw", &format!("/api/v1/namespaces/default/configmaps?limit=10&continue={token}")]);
    let rest: serde_json::Value = serde_json::from_str(&rest).unwrap();
    assert_eq!(rest["items"][0]["metadata"]["name"], "page-3");
    assert!(rest["metadata"]["continue"].is_null());
}

const CRD: &str = "
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 10}
              color: {type: string, enum: [red, blue], default: blue}
          status:
            type: object
            properties:
              ready: {type: boolean}
";

#[test]
fn custom_resources_follow_their_definition() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(CRD));
    let established = cluster.ok(&["wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=10s"]);
    assert!(established.contains("condition met"), "{established}");
    assert!(cluster.ok(&["api-resources", "--api-group=example.com"]).contains("widgets"));

    let widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3, unknown: x}\nstatus: {ready: true}\n";
    cluster.ok_with(&["apply", "-f", "-"], Some(widget));
    let stored = cluster.json(&["get", "wd", "w1"]);
    assert_eq!(stored["spec"], serde_json::json!({"size": 3, "color": "blue"}), "defaulted and pruned");
    assert!(stored.get("status").is_none(), "status is written through /status only");

    let too_big = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 11, color: green}\n";
    let invalid = cluster.fails(&["apply", "-f", "-"], Some(too_big));
    assert!(invalid.contains(r#"The Widget "w2" is invalid"#), "{invalid}");
    assert!(
        invalid.contains("spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10"),
        "{invalid}"
    );
    assert!(invalid.contains(r#"spec.color: Unsupported value: "green""#), "{invalid}");
    let missing = cluster.fails(
        &["apply", "-f", "-"],
        Some("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w3}\nspec: {}\n"),
    );
    assert!(missing.contains("spec.size: Required value"), "{missing}");

    cluster.ok(&[
        "patch",
        "widget",
        "w1",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"ready":true}}"#,
    ]);
    assert_eq!(cluster.json(&["get", "widget", "w1"])["status"]["ready"], true);

    cluster.ok(&["delete", "crd", "widgets.example.com"]);
    // kubectl may still know the type from its discovery cache; either way it is gone.
    let gone = cluster.fails(&["get", "widgets"], None);
    assert!(
        gone.contains("doesn't have a resource type") || gone.contains("could not find the requested resource"),
        "{gone}"
    );
}

#[test]
fn client_side_apply_updates_through_strategic_merge() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(DEPLOYMENT));
    let updated = DEPLOYMENT.replace("nginx:1.27", "nginx:1.28").replace("replicas: 2", "replicas: 4");
    assert_eq!(cluster.ok_with(&["apply", "-f", "-"], Some(&updated)), "deployment.apps/web configured\n");
    let deployment = cluster.json(&["get", "deployment", "web"]);
    assert_eq!(deployment["spec"]["replicas"], 4);
    assert_eq!(deployment["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.28");
    assert_eq!(cluster.ok_with(&["apply", "-f", "-"], Some(&updated)), "deployment.apps/web unchanged\n");
    // kubectl patch defaults to a strategic merge patch: containers merge by name.
    cluster.ok(&[
        "patch",
        "deployment",
        "web",
        "-p",
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}"#,
    ]);
    let containers = cluster.json(&["get", "deployment", "web"])["spec"]["template"]["spec"]["containers"].clone();
    let names: Vec<&str> = containers.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["web", "sidecar"]);
}

#[test]
fn server_side_apply_owns_fields_and_reports_conflicts() {
    let cluster = Cluster::start();
    let applied = cluster.ok_with(&["apply", "--server-side", "--field-manager=flux", "-f", "-"], Some(DEPLOYMENT));
    assert_eq!(applied, "deployment.apps/web serverside-applied\n");
    let managed =
        cluster.json(&["get", "deployment", "web", "--show-managed-fields"])["metadata"]["managedFields"].clone();
    assert_eq!(managed[0]["manager"], "flux");
    assert_eq!(managed[0]["operation"], "Apply");
    assert!(
        managed[0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"][r#"k:{"name":"web"}"#].is_object(),
        "{managed}"
    );

    // Someone else changes a field flux owns...
    cluster.ok(&[
        "patch",
        "deployment",
        "web",
        "--field-manager=kubectl-edit",
        "--type=merge",
        "-p",
        r#"{"spec":{"replicas":7}}"#,
    ]);
    let conflict = cluster.fails(&["apply", "--server-side", "--field-manager=flux", "-f", "-"], Some(DEPLOYMENT));
    assert!(conflict.contains("Apply failed with 1 conflict") && conflict.contains(".spec.replicas"), "{conflict}");
    // ...until flux forces it back.
    cluster
        .ok_with(&["apply", "--server-side", "--field-manager=flux", "--force-conflicts", "-f", "-"], Some(DEPLOYMENT));
    assert_eq!(cluster.json(&["get", "deployment", "web"])["spec"]["replicas"], 2);

    // A field flux stops applying is removed.
    let without_labels = DEPLOYMENT.replace("  labels: {app: web}\n", "");
    cluster.ok_with(&["apply", "--server-side", "--field-manager=flux", "-f", "-"], Some(&without_labels));
    assert!(
        cluster.json(&["get", "deployment", "web"])["metadata"]
            .get("labels")
            .is_none_or(|labels| labels.get("app").is_none())
    );

    // Dry run: the full answer, nothing persisted.
    let dry = cluster.ok_with(
        &["apply", "--server-side", "--field-manager=flux", "--dry-run=server", "-f", "-"],
        Some(&DEPLOYMENT.replace("replicas: 2", "replicas: 9")),
    );
    assert!(dry.contains("serverside-applied (server dry run)"), "{dry}");
    assert_eq!(cluster.json(&["get", "deployment", "web"])["spec"]["replicas"], 2);
}

/// Creates ConfigMap `parent` and `children` owned by it; returns the parent's uid.
fn family(cluster: &Cluster, children: &[&str], finalizer: Option<&str>) -> String {
    cluster.ok_with(&["apply", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: parent}\n"));
    let uid = cluster.json(&["get", "configmap", "parent"])["metadata"]["uid"].as_str().unwrap().to_owned();
    for child in children {
        let finalizers = finalizer.map(|finalizer| format!(", finalizers: [{finalizer}]")).unwrap_or_default();
        let manifest = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {child}{finalizers}, ownerReferences: [{{apiVersion: v1, kind: ConfigMap, name: parent, uid: {uid}}}]}}\n"
        );
        cluster.ok_with(&["apply", "-f", "-"], Some(&manifest));
    }
    uid
}

#[test]
fn deleting_an_owner_cascades_by_its_propagation_policy() {
    let cluster = Cluster::start();
    let names = |cluster: &Cluster| cluster.ok(&["get", "configmaps", "-o", "name"]);

    family(&cluster, &["child-a", "child-b"], None);
    cluster.ok(&["delete", "configmap", "parent", "--cascade=background"]);
    assert_eq!(names(&cluster), "", "background: dependents collected");

    family(&cluster, &["child-a"], None);
    cluster.ok(&["delete", "configmap", "parent", "--cascade=orphan"]);
    assert_eq!(names(&cluster), "configmap/child-a\n", "orphan: dependents stay");
    assert!(
        cluster.json(&["get", "configmap", "child-a"])["metadata"]["ownerReferences"]
            .as_array()
            .is_none_or(|refs| refs.is_empty())
    );
    cluster.ok(&["delete", "configmap", "child-a"]);

    family(&cluster, &["held-child"], Some("example.com/hold"));
    cluster.ok(&["delete", "configmap", "parent", "--cascade=foreground", "--wait=false"]);
    let parent = cluster.json(&["get", "configmap", "parent"]);
    assert!(parent["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(
        parent["metadata"]["finalizers"],
        serde_json::json!(["foregroundDeletion"]),
        "the owner waits for its dependents"
    );
    cluster.ok(&["patch", "configmap", "held-child", "--type=merge", "-p", r#"{"metadata":{"finalizers":null}}"#]);
    assert_eq!(names(&cluster), "", "foreground: the owner goes once its dependents are gone");
}

const TENANT_RBAC: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-admin, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects:
- {kind: ServiceAccount, name: deployer, namespace: team-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: namespace-reader}
rules:
- {apiGroups: [''], resources: [namespaces], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: tenants-read-namespaces}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-reader}
subjects:
- {kind: Group, name: 'system:serviceaccounts:team-a'}
";

#[test]
fn rbac_and_impersonation_confine_a_tenant() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(TENANT_RBAC));
    let sa = "--as=system:serviceaccount:team-a:deployer";
    let can = |args: &[&str]| {
        let mut all = vec!["auth", "can-i", sa];
        all.extend_from_slice(args);
        let output = cluster.run(&all, None);
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    };
    assert_eq!(can(&["create", "deployments", "-n", "team-a"]), "yes");
    assert_eq!(can(&["delete", "configmaps", "-n", "team-a"]), "yes");
    assert_eq!(can(&["create", "deployments", "-n", "team-b"]), "no");
    assert_eq!(can(&["list", "namespaces"]), "yes", "through the group binding");
    assert_eq!(can(&["delete", "namespaces"]), "no");
    assert_eq!(can(&["create", "clusterroles"]), "no");

    cluster.ok_with(&["apply", sa, "-n", "team-a", "-f", "-"], Some(DEPLOYMENT));
    let refused = cluster.fails(&["apply", sa, "-n", "team-b", "-f", "-"], Some(DEPLOYMENT));
    assert!(
        refused.contains(r#"User "system:serviceaccount:team-a:deployer" cannot"#)
            && refused.contains(r#"in the namespace "team-b""#),
        "{refused}"
    );
    assert!(cluster.fails(&["get", "deployments", "-n", "team-b", sa], None).contains("Forbidden"));
    assert_eq!(cluster.ok(&["get", "deployments", "-n", "team-b", "-o", "name"]), "", "nothing was created");
}

/// kubectl's generators send protobuf.
#[test]
fn imperative_create_commands() {
    let cluster = Cluster::start();
    assert_eq!(cluster.ok(&["create", "namespace", "shop"]), "namespace/shop created\n");
    cluster.ok(&[
        "create",
        "configmap",
        "settings",
        "-n",
        "shop",
        "--from-literal=mode=fast",
        "--from-literal=level=3",
    ]);
    cluster.ok(&["create", "secret", "generic", "login", "-n", "shop", "--from-literal=password=hunter2"]);
    cluster.ok(&["create", "serviceaccount", "robot", "-n", "shop"]);
    let settings = cluster.json(&["get", "configmap", "settings", "-n", "shop"]);
    assert_eq!(settings["data"], serde_json::json!({"mode": "fast", "level": "3"}));
    let login = cluster.json(&["get", "secret", "login", "-n", "shop"]);
    assert_eq!(login["data"]["password"], "aHVudGVyMg==");
    assert_eq!(login["type"], "Opaque");
    assert_eq!(cluster.ok(&["get", "serviceaccounts", "-n", "shop", "-o", "name"]), "serviceaccount/robot\n");
}

#[test]
fn simulated_workloads_become_ready_or_fail_on_request() {
    let cluster = Cluster::start_simulating(std::time::Duration::from_millis(200));
    cluster.ok_with(&["apply", "-f", "-"], Some(DEPLOYMENT));
    let waited = cluster.ok(&["wait", "--for=condition=Available", "deployment/web", "--timeout=10s"]);
    assert!(waited.contains("condition met"), "{waited}");
    let rollout = cluster.ok(&["rollout", "status", "deployment/web", "--timeout=10s"]);
    assert!(rollout.contains("successfully rolled out"), "{rollout}");
    let status = cluster.json(&["get", "deployment", "web"])["status"].clone();
    assert_eq!((status["readyReplicas"].as_i64(), status["observedGeneration"].as_i64()), (Some(2), Some(1)));

    let failing = DEPLOYMENT.replacen("name: web\n", "name: broken\n  annotations: {weir.dev/simulate: fail}\n", 1);
    cluster.ok_with(&["apply", "-f", "-"], Some(&failing));
    let rollout = cluster.fails(&["rollout", "status", "deployment/broken", "--timeout=10s"], None);
    assert!(rollout.contains("exceeded its progress deadline"), "{rollout}");

    let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}\n";
    cluster.ok_with(&["apply", "-f", "-"], Some(job));
    assert!(cluster.ok(&["wait", "--for=condition=Complete", "job/once", "--timeout=10s"]).contains("condition met"));
}

#[test]
fn tls_with_a_generated_ca_requires_a_token() {
    let cluster = Cluster::start_tls();
    assert!(cluster.ok(&["get", "namespaces", "-o", "name"]).contains("namespace/default"));
    let config = std::fs::read_to_string(&cluster.kubeconfig).unwrap();
    assert!(config.contains("server: https://127.0.0.1:") && config.contains("certificate-authority-data:"));
    let wrong_token = cluster.fails(&["get", "namespaces", "--token=wrong"], None);
    assert!(wrong_token.contains("Unauthorized") || wrong_token.contains("provide credentials"), "{wrong_token}");
    let anonymous = config.replace("token: test-token", "token: \"\"");
    std::fs::write(&cluster.kubeconfig, anonymous).unwrap();
    assert!(!cluster.run(&["get", "namespaces"], None).status.success(), "no token, no entry over TLS");
}

#[test]
fn scale_subresource() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(DEPLOYMENT));
    assert_eq!(cluster.ok(&["scale", "deployment", "web", "--replicas=4"]), "deployment.apps/web scaled\n");
    assert_eq!(cluster.json(&["get", "deployment", "web"])["spec"]["replicas"], 4);
    let scale = cluster.ok(&["get", "--raw", "/apis/apps/v1/namespaces/default/deployments/web/scale"]);
    let scale: serde_json::Value = serde_json::from_str(&scale).unwrap();
    assert_eq!((scale["kind"].as_str(), scale["spec"]["replicas"].as_i64()), (Some("Scale"), Some(4)));
    assert_eq!(scale["status"]["selector"], "app=web");

    let crd = CRD.replace(
        "subresources: {status: {}}",
        "subresources: {status: {}, scale: {specReplicasPath: .spec.size, statusReplicasPath: .status.size}}",
    );
    cluster.ok_with(&["apply", "-f", "-"], Some(&crd));
    cluster.ok(&["wait", "--for=condition=Established", "crd/widgets.example.com"]);
    cluster.ok_with(
        &["apply", "-f", "-"],
        Some("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 2}\n"),
    );
    cluster.ok(&["scale", "widget", "w", "--replicas=5"]);
    assert_eq!(cluster.json(&["get", "widget", "w"])["spec"]["size"], 5);
}

#[test]
fn explain_describes_kinds_and_custom_schemas() {
    let cluster = Cluster::start();
    let deployment = cluster.ok(&["explain", "deployment"]);
    assert!(deployment.contains("KIND:       Deployment") && deployment.contains("spec"), "{deployment}");
    cluster.ok_with(&["apply", "-f", "-"], Some(CRD));
    cluster.ok(&["wait", "--for=condition=Established", "crd/widgets.example.com"]);
    let widget = cluster.ok(&["explain", "widgets.spec"]);
    assert!(widget.contains("size") && widget.contains("color"), "{widget}");
}

#[test]
fn get_prints_the_columns_of_the_kind() {
    let cluster = Cluster::start_simulating(std::time::Duration::from_millis(100));
    cluster.ok_with(&["apply", "-f", "-"], Some(DEPLOYMENT));
    cluster.ok(&["rollout", "status", "deployment/web", "--timeout=10s"]);
    let table = cluster.ok(&["get", "deployment", "web"]);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    let row: Vec<&str> = table.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..4], ["web", "2/2", "2", "2"], "{table}");

    let crd = CRD.replace(
        "    subresources: {status: {}}",
        "    subresources: {status: {}}\n    additionalPrinterColumns:\n    - {name: Size, type: integer, jsonPath: .spec.size}\n    - {name: Color, type: string, jsonPath: .spec.color}",
    );
    cluster.ok_with(&["apply", "-f", "-"], Some(&crd));
    cluster.ok(&["wait", "--for=condition=Established", "crd/widgets.example.com"]);
    cluster.ok_with(
        &["apply", "-f", "-"],
        Some("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 4}\n"),
    );
    let widgets = cluster.ok(&["get", "widgets"]);
    let rows: Vec<Vec<&str>> = widgets.lines().map(|line| line.split_whitespace().collect()).collect();
    assert_eq!(rows, [vec!["NAME", "SIZE", "COLOR"], vec!["w", "4", "blue"]]);
}

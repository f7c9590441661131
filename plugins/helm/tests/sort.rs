//! Splitting rendered files into manifests and hooks, in Helm 3.18's install order.

use std::collections::BTreeMap;

use weir_helm::manifests::{sort_manifests, sort_manifests_logged, split_manifests};

fn files(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn known_kinds_install_first_then_unknown_kinds_by_name() {
    let kinds = [
        "Zeta",
        "Alpha",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "APIService",
        "Ingress",
        "IngressClass",
        "CronJob",
        "Job",
        "StatefulSet",
        "HorizontalPodAutoscaler",
        "Deployment",
        "ReplicaSet",
        "ReplicationController",
        "Pod",
        "DaemonSet",
        "Service",
        "RoleBindingList",
        "RoleBinding",
        "RoleList",
        "Role",
        "ClusterRoleBindingList",
        "ClusterRoleBinding",
        "ClusterRoleList",
        "ClusterRole",
        "CustomResourceDefinition",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "StorageClass",
        "ConfigMap",
        "SecretList",
        "Secret",
        "ServiceAccount",
        "PodDisruptionBudget",
        "PodSecurityPolicy",
        "LimitRange",
        "ResourceQuota",
        "NetworkPolicy",
        "Namespace",
        "PriorityClass",
        "VolumeAttachment",
        "CSIDriver",
        "Endpoints",
    ];
    let text: String = kinds.iter().map(|k| format!("---\nkind: {k}\nmetadata:\n  name: n\n")).collect();
    let (hooks, manifests) = sort_manifests(&files(&[("k/templates/all.yaml", &text)])).unwrap();
    assert!(hooks.is_empty());
    let order: Vec<&str> = manifests.iter().map(|m| m.kind.as_str()).collect();
    // As `helm template` printed them.
    assert_eq!(
        order,
        [
            "PriorityClass",
            "Namespace",
            "NetworkPolicy",
            "ResourceQuota",
            "LimitRange",
            "PodSecurityPolicy",
            "PodDisruptionBudget",
            "ServiceAccount",
            "Secret",
            "SecretList",
            "ConfigMap",
            "StorageClass",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "CustomResourceDefinition",
            "ClusterRole",
            "ClusterRoleList",
            "ClusterRoleBinding",
            "ClusterRoleBindingList",
            "Role",
            "RoleList",
            "RoleBinding",
            "RoleBindingList",
            "Service",
            "DaemonSet",
            "Pod",
            "ReplicationController",
            "ReplicaSet",
            "Deployment",
            "HorizontalPodAutoscaler",
            "StatefulSet",
            "Job",
            "CronJob",
            "IngressClass",
            "Ingress",
            "APIService",
            "Alpha",
            "CSIDriver",
            "Endpoints",
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
            "VolumeAttachment",
            "Zeta",
        ]
    );
}

const HOOKS: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: p1
  annotations:
    helm.sh/hook: " Pre-Install , post-install"
    helm.sh/hook-weight: "5"
    helm.sh/hook-delete-policy: "Before-Hook-Creation, hook-succeeded"
---
kind: Job
metadata:
  name: j1
  annotations:
    helm.sh/hook: test-success
    helm.sh/hook-weight: -3
---
kind: Job
metadata:
  name: j2
  annotations:
    helm.sh/hook: bogus,pre-install
---
kind: ConfigMap
metadata:
  name: c
  annotations:
    other: 1
---


---
# just a comment
---
kind: Secret
"#;

#[test]
fn hooks_are_separated_and_unknown_hooks_skipped() {
    let mut log = Vec::new();
    let (hooks, manifests) = sort_manifests_logged(
        &files(&[
            ("k/templates/h.yaml", HOOKS),
            ("k/templates/_partial.yaml", "a: b"),
            ("k/templates/empty.yaml", "  \n"),
        ]),
        &mut log,
    )
    .unwrap();
    assert_eq!(log, [r#"info: skipping unknown hook: "bogus,pre-install""#]);
    let shown: Vec<(&str, &str)> = manifests.iter().map(|m| (m.kind.as_str(), m.content.as_str())).collect();
    assert_eq!(
        shown,
        [
            ("Secret", "kind: Secret"),
            ("ConfigMap", "kind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    other: 1"),
            // `---` right after a separator's trailing blanks is not a separator.
            ("", "---\n# just a comment"),
        ]
    );
    assert!(manifests.iter().all(|m| m.name == "k/templates/h.yaml"));
    let hooks: Vec<_> = hooks
        .iter()
        .map(|h| (h.kind.as_str(), h.name.as_str(), h.events.clone(), h.weight, h.delete_policies.clone()))
        .collect();
    assert_eq!(
        hooks,
        [
            (
                "Pod",
                "p1",
                vec!["pre-install".into(), "post-install".into()],
                5,
                vec!["before-hook-creation".to_owned(), "hook-succeeded".to_owned()]
            ),
            ("Job", "j1", vec!["test".to_owned()], -3, vec![]),
        ]
    );
}

#[test]
fn split_trims_documents_and_drops_empty_ones() {
    assert_eq!(split_manifests("\n---\na: 1\n---   \n\nb: 2\n---\n"), ["a: 1", "b: 2"]);
    assert_eq!(split_manifests("a: 1\n--- \n---\nb: 2"), ["a: 1", "---\nb: 2"]);
}

#[test]
fn heads_that_do_not_decode_fail_with_helms_message() {
    let err = |text: &str| sort_manifests(&files(&[("k/templates/bad.yaml", text)])).unwrap_err().to_string();
    let prefix = "YAML parse error on k/templates/bad.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal";
    assert_eq!(err("\"str\"\n"), format!("{prefix} string into Go value of type releaseutil.SimpleHead"));
    assert_eq!(
        err("kind: A\nmetadata:\n  annotations:\n    a: [1]\n"),
        format!("{prefix} array into Go struct field .metadata.annotations of type string")
    );
    assert_eq!(err("kind: [A]\n"), format!("{prefix} array into Go struct field SimpleHead.kind of type string"));
    assert_eq!(
        err("metadata: 5\n"),
        format!(
            "{prefix} number into Go struct field SimpleHead.metadata of type struct {{ Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }}"
        )
    );
    assert!(
        err("x: [1\n").starts_with("YAML parse error on k/templates/bad.yaml: error converting YAML to JSON: yaml: ")
    );
}

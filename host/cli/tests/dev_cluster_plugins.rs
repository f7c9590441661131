//! ClusterPlugins through `weir dev` with a real registry (docker-registry): the operator's
//! owner offers a signed renderer to every namespace, its verification keys in the
//! operator's namespace and no PluginPolicy needed. A namespace no policy selects renders
//! with it; a tenant's own Plugin of the same name comes first in its namespace, and once
//! deleted the ClusterPlugin takes over; an unsigned ClusterPlugin is refused.

mod common;

use common::{Dev, eventually, field, indent, kubectl, push_plugin};
use weir_testkit::manifests::config_map;
use weir_testkit::oci::{SigningKey, push_signature};
use weir_testkit::registry::{Registry, RegistryOptions};

/// The operator's owner's part: the keys in `weir-system`, the ClusterPlugins, and a policy
/// that lets team-a bring its own unsigned renderers (team-b has none).
fn platform(registry: &str, key_pem: &str) -> String {
    let stamp = format!("{registry}/platform/stamp");
    let unsigned = format!("{registry}/platform/unsigned");
    format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: weir-system\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: plugin-keys\n  namespace: weir-system\n\
         stringData:\n  cosign.pub: |\n{}---\n\
         {}{}\
         apiVersion: plugins.weir.dev/v1alpha1\nkind: PluginPolicy\nmetadata:\n  name: team-a\nspec:\n\
         \x20 namespaceSelector:\n    matchLabels:\n      tenant: a\n  registries:\n  - {registry}/team-a\n\
         \x20 allowedGrants:\n    env:\n    - STAMP_ENVIRONMENT\n---\n\
         apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels:\n    tenant: a\n---\n\
         apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-b\n---\n",
        indent(key_pem, 4),
        cluster_plugin("stamp", &stamp),
        cluster_plugin("unsigned", &unsigned),
    )
}

fn cluster_plugin(name: &str, url: &str) -> String {
    format!(
        "apiVersion: plugins.weir.dev/v1alpha1\nkind: ClusterPlugin\nmetadata:\n  name: {name}\nspec:\n\
         \x20 world: renderer\n  interval: 1s\n  source:\n    oci:\n      url: oci://{url}\n      insecure: true\n\
         \x20     ref:\n        tag: '1.0.0'\n  verify:\n    provider: cosign\n    secretRef:\n      name: plugin-keys\n\
         \x20 grants:\n    env:\n      STAMP_ENVIRONMENT: platform\n---\n"
    )
}

fn kustomization(namespace: &str, name: &str, renderer: &str) -> String {
    format!(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n  namespace: {namespace}\n\
         \x20 annotations:\n    plugins.weir.dev/renderer: {renderer}\nspec:\n  interval: 1h\n  path: ./{namespace}\n  prune: true\n\
         \x20 sourceRef:\n    kind: GitRepository\n    name: flux-system\n    namespace: flux-system\n---\n"
    )
}

/// Team A's own `stamp`, shadowing the ClusterPlugin in its namespace.
fn tenant_plugin(registry: &str) -> String {
    format!(
        "apiVersion: plugins.weir.dev/v1alpha1\nkind: Plugin\nmetadata:\n  name: stamp\n  namespace: team-a\nspec:\n\
         \x20 world: renderer\n  interval: 1s\n  source:\n    oci:\n      url: oci://{registry}/team-a/stamp\n      insecure: true\n\
         \x20 grants:\n    env:\n      STAMP_ENVIRONMENT: team-a\n"
    )
}

/// `<status>/<reason>: <message>` of `kind`'s Ready condition.
fn ready(dev: &Dev, target: &[&str]) -> Option<String> {
    let select = r#"?(@.type=="Ready")"#;
    let path = format!(
        "{{.status.conditions[{select}].status}}/{{.status.conditions[{select}].reason}}: {{.status.conditions[{select}].message}}"
    );
    field(dev, &[&["get"], target].concat(), &path)
}

#[test]
fn cluster_plugins_serve_every_namespace_and_a_tenants_own_plugin_comes_first() {
    let registry = Registry::start(&RegistryOptions::default());
    let key = SigningKey::generate();
    let stamp = push_plugin(&registry.host, "example-stamp-renderer", "platform/stamp:1.0.0");
    push_signature(&registry.host, "platform/stamp", &stamp, &key);
    push_plugin(&registry.host, "example-stamp-renderer", "platform/unsigned:1.0.0");
    push_plugin(&registry.host, "example-stamp-renderer", "team-a/stamp:latest");

    let dir = tempfile::tempdir().unwrap();
    let repository = common::fleet_repository(
        dir.path(),
        &[
            ("clusters/dev/platform.yaml", platform(&registry.host, &key.public_pem)),
            (
                "clusters/dev/tenants.yaml",
                [
                    kustomization("team-a", "apps", "stamp"),
                    kustomization("team-b", "apps", "stamp"),
                    tenant_plugin(&registry.host),
                ]
                .concat(),
            ),
            ("team-a/hello.yaml", config_map("team-a", "hello", "from tenant a")),
            ("team-b/hello.yaml", config_map("team-b", "hello", "from tenant b")),
        ],
    );
    let dev = Dev::start(&repository, "clusters/dev", dir.path());
    let rendered_for = |namespace: &str, expected: &str| {
        let labels = || field(&dev, &["get", "configmap", "hello", "-n", namespace], "{.metadata.labels.environment}");
        eventually(&format!("{namespace} rendered for {expected}"), labels, |environment| environment == expected)
    };

    // Team B, which no policy selects, renders with the ClusterPlugin; team A with its own.
    rendered_for("team-b", "platform");
    rendered_for("team-a", "team-a");
    let loaded = ready(&dev, &["clusterplugin", "stamp"]).unwrap();
    assert!(loaded.starts_with("True/Loaded: serving renderer@0.2.0 component sha256:"), "{loaded}");
    assert!(loaded.ends_with("(a ClusterPlugin, under no PluginPolicy)"), "{loaded}");
    let verified =
        field(&dev, &["get", "clusterplugin", "stamp"], r#"{.status.conditions[?(@.type=="Verified")].message}"#);
    assert!(
        verified
            .as_deref()
            .is_some_and(|message| message.ends_with("with the keys of Secret 'weir-system/plugin-keys'")),
        "{verified:?}"
    );
    let table = kubectl(&dev.kubeconfig, &["get", "clusterplugins"], None);
    assert!(table.lines().next().is_some_and(|header| header.starts_with("NAME")), "{table}");
    assert!(table.lines().any(|line| line.starts_with("stamp ") && line.contains("renderer")), "{table}");

    // An unsigned ClusterPlugin is refused like a tenant's.
    let unsigned = eventually(
        "the unsigned ClusterPlugin refused",
        || ready(&dev, &["clusterplugin", "unsigned"]),
        |ready| ready.starts_with("False/"),
    );
    assert!(unsigned.starts_with("False/VerificationFailed: the signature of 1.0.0@sha256:"), "{unsigned}");

    // Without its own Plugin, team A falls back to the ClusterPlugin.
    kubectl(&dev.kubeconfig, &["delete", "plugin", "stamp", "-n", "team-a"], None);
    rendered_for("team-a", "platform");
}

//! Tenant plugins through `weir dev` with a real registry (docker-registry): the platform's
//! PluginPolicy lets namespaces labelled `tenant` load renderers from `<registry>/tenants`,
//! signed by the platform's key, under a ceiling of limits and grants. Tenant A pushes a
//! signed renderer (`weir plugin push`, the signature made by openssl and pushed by oras-py),
//! declares a Plugin and annotates its Kustomization: what is applied is the plugin's output.
//! An unsigned plugin, one from a registry the policy does not allow and one asking for more
//! memory than the ceiling are refused with the reason; tenant B cannot use tenant A's
//! Plugin; a plugin that loops fails only its own Kustomization; a new digest pushed in the
//! Plugin's semver range is rolled out and re-renders what it renders; deleting the policy
//! stops the tenant's plugins.

mod common;

use common::{Dev, eventually, field, indent, kubectl, push_plugin};
use weir_testkit::manifests::config_map;
use weir_testkit::oci::{SigningKey, push_signature};
use weir_testkit::registry::{Registry, RegistryOptions};

fn sha256_of_plugin(plugin: &str) -> String {
    weir_registry::sha256_digest(&std::fs::read(weir_testkit::paths::plugin(plugin)).unwrap())
}

fn platform(registry: &str, signer_pem: &str) -> String {
    format!(
        "apiVersion: plugins.weir.dev/v1alpha1\nkind: PluginPolicy\nmetadata:\n  name: tenants\nspec:\n\
         \x20 namespaceSelector:\n    matchExpressions:\n    - key: tenant\n      operator: Exists\n\
         \x20 registries:\n  - {registry}/tenants\n  signers:\n    namespace: flux-system\n    name: plugin-signers\n\
         \x20 maxLimits:\n    memory: 128Mi\n    timeout: 5s\n  allowedGrants:\n    env:\n    - STAMP_ENVIRONMENT\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: plugin-signers\n  namespace: flux-system\n\
         stringData:\n  cosign.pub: |\n{}---\n\
         apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels:\n    tenant: a\n---\n\
         apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-b\n  labels:\n    tenant: b\n",
        indent(signer_pem, 4)
    )
}

fn plugin(name: &str, world: &str, url: &str, extra: &str) -> String {
    format!(
        "apiVersion: plugins.weir.dev/v1alpha1\nkind: Plugin\nmetadata:\n  name: {name}\n  namespace: team-a\nspec:\n\
         \x20 world: {world}\n  interval: 1s\n  source:\n    oci:\n      url: oci://{url}\n      insecure: true\n\
         \x20     ref:\n        semver: '>=1.0.0'\n{extra}---\n"
    )
}

fn kustomization(namespace: &str, name: &str, renderer: &str, path: &str) -> String {
    format!(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n  namespace: {namespace}\n\
         \x20 annotations:\n    plugins.weir.dev/renderer: {renderer}\nspec:\n  interval: 1h\n  path: {path}\n  prune: true\n\
         \x20 sourceRef:\n    kind: GitRepository\n    name: flux-system\n    namespace: flux-system\n---\n"
    )
}

fn tenants(registry: &str) -> String {
    let grants = "  grants:\n    env:\n      STAMP_ENVIRONMENT: staging\n";
    [
        plugin("stamp", "renderer", &format!("{registry}/tenants/a/stamp"), grants),
        plugin("unsigned", "renderer", &format!("{registry}/tenants/a/unsigned"), ""),
        plugin("elsewhere", "renderer", &format!("{registry}/other/stamp"), ""),
        plugin("greedy", "renderer", &format!("{registry}/tenants/a/stamp"), "  limits:\n    memory: 1Gi\n"),
        plugin("hostile", "renderer", &format!("{registry}/tenants/a/hostile"), "  limits:\n    timeout: 1s\n"),
        plugin("misnamed", "tag-policy", &format!("{registry}/tenants/a/stamp"), ""),
        kustomization("team-a", "apps", "stamp", "./tenants/a"),
        kustomization("team-a", "looping", "hostile", "./loop"),
        kustomization("team-b", "borrowed", "stamp", "./tenants/b"),
    ]
    .concat()
}

/// `<status>/<reason>: <message>` of a condition.
fn condition(dev: &Dev, kind: &str, namespace: &str, name: &str, condition: &str) -> Option<String> {
    let select = format!(r#"?(@.type=="{condition}")"#);
    let path = format!(
        "{{.status.conditions[{select}].status}}/{{.status.conditions[{select}].reason}}: {{.status.conditions[{select}].message}}"
    );
    field(dev, &["get", kind, name, "-n", namespace], &path)
}

#[test]
fn tenants_render_with_their_own_signed_plugins_within_the_policy() {
    let registry = Registry::start(&RegistryOptions::default());
    let key = SigningKey::generate();
    let stamp = push_plugin(&registry.host, "example-stamp-renderer", "tenants/a/stamp:1.0.0");
    push_signature(&registry.host, "tenants/a/stamp", &stamp, &key);
    let hostile = push_plugin(&registry.host, "hostile", "tenants/a/hostile:1.0.0");
    push_signature(&registry.host, "tenants/a/hostile", &hostile, &key);
    push_plugin(&registry.host, "example-stamp-renderer", "tenants/a/unsigned:1.0.0");
    let elsewhere = push_plugin(&registry.host, "example-stamp-renderer", "other/stamp:1.0.0");
    push_signature(&registry.host, "other/stamp", &elsewhere, &key);

    // What a plugin author sees of the pushed component.
    let inspected = common::weir()
        .args(["plugin", "inspect", &format!("oci://{}/tenants/a/stamp:1.0.0", registry.host)])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&inspected.stdout);
    assert!(inspected.status.success(), "{}", String::from_utf8_lossy(&inspected.stderr));
    assert!(report.contains("worlds:    renderer@0.2.0\n"), "{report}");
    assert!(
        report.contains(&format!("describes: weir-example-stamp-renderer {}", env!("CARGO_PKG_VERSION"))),
        "{report}"
    );
    assert!(report.contains(&format!("digest:    {}", sha256_of_plugin("example-stamp-renderer"))), "{report}");

    let dir = tempfile::tempdir().unwrap();
    let repository = common::fleet_repository(
        dir.path(),
        &[
            ("clusters/dev/platform.yaml", platform(&registry.host, &key.public_pem)),
            ("clusters/dev/tenants.yaml", tenants(&registry.host)),
            ("tenants/a/hello.yaml", config_map("team-a", "hello", "from tenant a")),
            ("tenants/b/hello.yaml", config_map("team-b", "hello", "from tenant b")),
            ("loop/loop.yaml", config_map("team-a", "never", "rendered")),
        ],
    );
    let dev = Dev::start(&repository, "clusters/dev", dir.path());

    // Tenant A's Kustomization is rendered by its plugin, with the granted environment.
    let labels = || field(&dev, &["get", "configmap", "hello", "-n", "team-a"], "{.metadata.labels}");
    let stamped = eventually("the plugin's output applied", labels, |labels| labels.contains("rendered-by"));
    assert!(stamped.contains(r#""environment":"staging""#), "{stamped}");
    let ready = condition(&dev, "plugin", "team-a", "stamp", "Ready").unwrap();
    assert!(ready.starts_with("True/Loaded: serving renderer@0.2.0 component sha256:"), "{ready}");
    let status = |path: &str| field(&dev, &["get", "plugin", "stamp", "-n", "team-a"], path).unwrap();
    assert_eq!(status("{.status.digest}"), sha256_of_plugin("example-stamp-renderer"));
    assert_eq!(status("{.status.effectiveLimits.memory}/{.status.effectiveLimits.timeout}"), "128Mi/5s");
    assert!(status("{.status.imports}").contains("wasi:filesystem/"), "{}", status("{.status.imports}"));
    let verified = condition(&dev, "plugin", "team-a", "stamp", "Verified").unwrap();
    assert!(verified.starts_with("True/Succeeded: verified signature of 1.0.0@sha256:"), "{verified}");
    assert!(verified.ends_with("with the signers of PluginPolicy 'tenants'"), "{verified}");

    // What the policy does not allow is refused, with the reason.
    let refused = |name: &str, expected: &str| {
        let what = format!("Plugin {name} refused");
        let ready = || condition(&dev, "plugin", "team-a", name, "Ready");
        eventually(&what, ready, |ready| ready.starts_with("False/") && ready.contains(expected))
    };
    let unsigned = refused("unsigned", "VerificationFailed");
    assert!(unsigned.contains("does not verify with the signers of PluginPolicy 'tenants'"), "{unsigned}");
    let elsewhere = refused("elsewhere", "PolicyViolation");
    let other = format!("repository '{}/other/stamp' is not under an allowed registry", registry.host);
    assert!(elsewhere.contains(&other), "{elsewhere}");
    refused("greedy", "spec.limits.memory 1Gi exceeds the ceiling 128Mi");
    let misnamed = refused("misnamed", "WorldMismatch");
    assert!(misnamed.contains("does not implement the tag-policy world"), "{misnamed}");

    // Tenant B cannot reach tenant A's Plugin by naming it.
    let borrowed = || condition(&dev, "kustomization", "team-b", "borrowed", "Ready");
    let borrowed = eventually("tenant B refused", borrowed, |ready| ready.starts_with("False/"));
    assert!(
        borrowed.starts_with("False/PluginNotReady: plugins.weir.dev/renderer: neither Plugin 'team-b/stamp' nor ClusterPlugin 'stamp' is loaded"),
        "{borrowed}"
    );
    assert!(field(&dev, &["get", "configmap", "hello", "-n", "team-b"], "{.metadata.name}").is_none());

    // A plugin that loops fails its own Kustomization only.
    let looping = || condition(&dev, "kustomization", "team-a", "looping", "Ready");
    // Until the Plugin is loaded the Kustomization waits (PluginNotReady); then the call fails.
    let looping = eventually("the loop stopped", looping, |ready| ready.starts_with("False/PluginFailed"));
    assert!(
        looping
            .starts_with("False/PluginFailed: Plugin 'hostile': plugin team-a/hostile exceeded its time limit of 1s"),
        "{looping}"
    );
    // Its neighbour renders with the same Plugin regardless (it may still be applying).
    let apps = || condition(&dev, "kustomization", "team-a", "apps", "Ready");
    eventually("tenant A's apps", apps, |ready| ready.starts_with("True/ReconciliationSucceeded"));

    // A new signed digest in the semver range (here weir's own kustomize renderer) is rolled
    // out at the next interval and renders tenant A's path again, without the stamp.
    let kustomize = push_plugin(&registry.host, "kustomize", "tenants/a/stamp:1.1.0");
    push_signature(&registry.host, "tenants/a/stamp", &kustomize, &key);
    let digest = || field(&dev, &["get", "plugin", "stamp", "-n", "team-a"], "{.status.digest}");
    eventually("the new digest loaded", digest, |digest| digest == sha256_of_plugin("kustomize"));
    eventually("re-rendered by the new digest", labels, |labels| !labels.contains("rendered-by"));
    let events = r#"jsonpath={range .items[*]}{.regarding.name} {.reason} {.note}{"\n"}{end}"#;
    let events = kubectl(&dev.kubeconfig, &["get", "events.events.k8s.io", "-n", "team-a", "-o", events], None);
    // kube-rs's recorder folds a repeated reason into the first event's series.
    let loaded = format!(
        "stamp NewDigest loaded renderer@0.2.0 component {} from 1.0.0@",
        sha256_of_plugin("example-stamp-renderer")
    );
    assert!(events.lines().any(|event| event.starts_with(&loaded)), "{events}");

    // Revoking the policy stops the tenant's plugins.
    kubectl(&dev.kubeconfig, &["delete", "pluginpolicy", "tenants"], None);
    let revoked = refused("stamp", "PolicyViolation");
    assert!(revoked.contains("no PluginPolicy selects namespace 'team-a'"), "{revoked}");
}

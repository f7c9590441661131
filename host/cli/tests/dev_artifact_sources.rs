//! Git-free GitOps through `weir dev`: the bootstrapped repository declares an OCIRepository and
//! a Bucket with a Kustomization each; CI's side is `weir push artifact` to a real registry
//! (docker-registry) and boto3 writing to a real S3 server (moto). New pushes in the semver range
//! are applied within an interval, pushes outside it ignored; a changed object is applied, a
//! deleted one pruned; with the registry down the source reports the failure, the cluster keeps
//! what it has, and once the registry is back the next push is applied. With `verify`, an
//! unsigned push is refused and the signed one stays applied; wrong bucket keys are reported.

mod common;

use common::{Dev, eventually, field};
use weir_testkit::git::git;
use weir_testkit::manifests::config_map;
use weir_testkit::oci::{SigningKey, push_signature};
use weir_testkit::registry::{Registry, RegistryOptions};
use weir_testkit::s3::{ACCESS_KEY, S3Server, SECRET_KEY};

fn sources(registry: &str, s3_endpoint: &str, cosign_pub: &str) -> String {
    let cosign_pub: String = cosign_pub.lines().map(|line| format!("    {line}\n")).collect();
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: apps\n  namespace: flux-system\n\
         spec:\n  interval: 1s\n  insecure: true\n  url: oci://{registry}/fleet/apps\n  ref:\n    semver: '>=1.0.0 <2.0.0'\n---\n\
         apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\n\
         spec:\n  interval: 1s\n  path: ./\n  prune: true\n  sourceRef:\n    kind: OCIRepository\n    name: apps\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: bucket-keys\n  namespace: flux-system\n\
         stringData:\n  accesskey: {ACCESS_KEY}\n  secretkey: {SECRET_KEY}\n---\n\
         apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata:\n  name: config\n  namespace: flux-system\n\
         spec:\n  interval: 1s\n  provider: generic\n  bucketName: config\n  endpoint: {s3_endpoint}\n  insecure: true\n\
         \x20 secretRef:\n    name: bucket-keys\n---\n\
         apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: config\n  namespace: flux-system\n\
         spec:\n  interval: 1s\n  path: ./\n  prune: true\n  sourceRef:\n    kind: Bucket\n    name: config\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: cosign-keys\n  namespace: flux-system\n\
         stringData:\n  cosign.pub: |\n{cosign_pub}---\n\
         apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: signed\n  namespace: flux-system\n\
         spec:\n  interval: 1s\n  insecure: true\n  url: oci://{registry}/fleet/signed\n  ref:\n    tag: stable\n\
         \x20 verify:\n    provider: cosign\n    secretRef:\n      name: cosign-keys\n---\n\
         apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: signed\n  namespace: flux-system\n\
         spec:\n  interval: 1s\n  path: ./\n  prune: true\n  sourceRef:\n    kind: OCIRepository\n    name: signed\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: wrong-keys\n  namespace: flux-system\n\
         stringData:\n  accesskey: {ACCESS_KEY}\n  secretkey: not-the-key\n---\n\
         apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata:\n  name: denied\n  namespace: flux-system\n\
         spec:\n  interval: 1s\n  provider: generic\n  bucketName: config\n  endpoint: {s3_endpoint}\n  insecure: true\n\
         \x20 secretRef:\n    name: wrong-keys\n"
    )
}

fn value_of(dev: &Dev, config_map: &str) -> Option<String> {
    field(dev, &["get", "configmap", config_map, "-n", "default"], "{.data.value}")
}

/// `weir push artifact` of a directory holding one ConfigMap `from-<repository>` with `value`
/// to `fleet/<repository>:<tag>`; the manifest's digest.
fn push_to(registry: &Registry, repository: &str, tag: &str, value: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("settings.yaml"), config_map("default", &format!("from-{repository}"), value))
        .unwrap();
    let output = common::weir()
        .args(["push", "artifact", &format!("oci://{}/fleet/{repository}:{tag}", registry.host), "--path"])
        .arg(dir.path())
        .args(["--source", "https://github.com/org/apps", "--revision", &format!("{tag}@sha1:0123abcd")])
        .args(["--output", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "push {tag}: {}", String::from_utf8_lossy(&output.stderr));
    let pushed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    pushed["digest"].as_str().unwrap().to_owned()
}

fn push(registry: &Registry, tag: &str, value: &str) {
    push_to(registry, "apps", tag, value);
}

#[test]
fn dev_follows_oci_artifacts_and_buckets() {
    let mut registry = Registry::start(&RegistryOptions::default());
    let s3 = S3Server::start();
    s3.create_bucket("config");
    let bucket_object = |name: &str, value: &str| config_map("default", name, value);
    s3.put(
        "config",
        &[("settings.yaml", &bucket_object("from-bucket", "one")), ("extra.yaml", &bucket_object("extra", "x"))],
    );
    push(&registry, "1.0.0", "v1");
    let key = SigningKey::generate();
    let signed = push_to(&registry, "signed", "stable", "signed");
    push_signature(&registry.host, "fleet/signed", &signed, &key);

    let dir = tempfile::tempdir().unwrap();
    let repository = dir.path().join("fleet");
    std::fs::create_dir_all(repository.join("clusters/dev")).unwrap();
    std::fs::write(
        repository.join("clusters/dev/sources.yaml"),
        sources(&registry.host, &s3.endpoint, &key.public_pem),
    )
    .unwrap();
    git(&repository, &["init", "--quiet", "--initial-branch=main"]);
    git(&repository, &["add", "--all"]);
    git(&repository, &["commit", "--quiet", "-m", "sources"]);
    let mut dev = Dev::start(&repository, "clusters/dev", dir.path());

    eventually("the first artifact applied", || value_of(&dev, "from-apps"), |value| value == "v1");
    eventually("the bucket applied", || value_of(&dev, "from-bucket"), |value| value == "one");
    assert_eq!(value_of(&dev, "extra").as_deref(), Some("x"));
    eventually("the signed artifact applied", || value_of(&dev, "from-signed"), |value| value == "signed");

    // Wrong keys: the Bucket says so, with source-controller's reason.
    let condition = |kind: &str, name: &str, condition: &str| {
        let path = format!(
            r#"{{.status.conditions[?(@.type=="{condition}")].status}}/{{.status.conditions[?(@.type=="{condition}")].reason}}"#
        );
        field(&dev, &["get", kind, name, "-n", "flux-system"], &path)
    };
    eventually(
        "the wrong keys reported",
        || condition("bucket", "denied", "Ready"),
        |ready| ready == "False/BucketOperationFailed",
    );

    // An unsigned push under the tag is refused; what was applied stays.
    push_to(&registry, "signed", "stable", "unsigned");
    eventually(
        "the unsigned artifact refused",
        || condition("ocirepository", "signed", "SourceVerified"),
        |verified| verified == "False/VerificationError",
    );
    assert_eq!(condition("ocirepository", "signed", "Ready").as_deref(), Some("False/VerificationError"));
    assert_eq!(value_of(&dev, "from-signed").as_deref(), Some("signed"));

    // A push in the range is applied; one outside it is not.
    push(&registry, "1.1.0", "v2");
    eventually("1.1.0 applied", || value_of(&dev, "from-apps"), |value| value == "v2");
    push(&registry, "2.0.0", "v3");

    // The bucket: a changed object is applied, a deleted one pruned.
    s3.put("config", &[("settings.yaml", &bucket_object("from-bucket", "two"))]);
    eventually("the changed object applied", || value_of(&dev, "from-bucket"), |value| value == "two");
    s3.delete("config", &["extra.yaml"]);
    eventually(
        "the deleted object pruned",
        || Some(value_of(&dev, "extra").is_none().to_string()),
        |gone| gone == "true",
    );

    let revision =
        || field(&dev, &["get", "ocirepository", "apps", "-n", "flux-system"], "{.status.artifact.revision}");
    assert!(revision().is_some_and(|revision| revision.starts_with("1.1.0@sha256:")), "{:?}", revision());
    assert_eq!(value_of(&dev, "from-apps").as_deref(), Some("v2"), "2.0.0 is outside the range");

    // The registry goes away: the source says why (listing the tags for the semver range is
    // source-controller's ReadOperationFailed), the cluster keeps what was applied.
    registry.stop();
    let ready = || {
        field(
            &dev,
            &["get", "ocirepository", "apps", "-n", "flux-system"],
            r#"{.status.conditions[?(@.type=="Ready")].status}/{.status.conditions[?(@.type=="Ready")].reason}"#,
        )
    };
    eventually("the pull failure reported", ready, |ready| ready == "False/ReadOperationFailed");
    let message = field(
        &dev,
        &["get", "ocirepository", "apps", "-n", "flux-system"],
        r#"{.status.conditions[?(@.type=="Ready")].message}"#,
    )
    .unwrap();
    let expected = format!("failed to determine the artifact tag for 'oci://{}/fleet/apps': ", registry.host);
    assert!(message.starts_with(&expected), "{message}");
    assert_eq!(value_of(&dev, "from-apps").as_deref(), Some("v2"));
    let said = dev.weir(&["get", "sources", "oci", "--no-header"]);
    let table = String::from_utf8_lossy(&said.stdout).into_owned();
    let row = table.lines().find(|row| row.starts_with("apps ")).unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains("\t1.1.0@sha256:") && row.contains("\tFalse\tFalse\tfailed to determine"), "{table}");

    // It comes back; the retries find it, and the next push is applied.
    registry.restart();
    push(&registry, "1.2.0", "v4");
    eventually("1.2.0 applied after the outage", || value_of(&dev, "from-apps"), |value| value == "v4");
    eventually("the source ready again", ready, |ready| ready.starts_with("True/"));

    let progress = dev.interrupt();
    for line in [
        "OCIRepository flux-system/apps: stored artifact for digest '1.0.0@sha256:",
        "OCIRepository flux-system/apps: stored artifact for digest '1.1.0@sha256:",
        "Bucket flux-system/config: stored artifact: revision 'sha256:",
        "Kustomization flux-system/apps: Applied revision: 1.2.0@sha256:",
        "✗ OCIRepository flux-system/apps: failed to determine the artifact tag for",
    ] {
        assert!(progress.contains(line), "{line:?} not in:\n{progress}");
    }
}

//! OCIRepository against a real registry (Debian's docker-registry), artifacts pushed by an
//! independent client (oras-py) in Flux's format: a Kustomization applies the highest tag in
//! the semver range and follows new pushes, ignores tags outside it; `verify` refuses unsigned
//! artifacts and keeps what was applied; failures carry source-controller's reasons; a registry
//! requiring mutual TLS is reached with `certSecretRef`'s client certificate.

use weir_api::kustomize::Kustomization;
use weir_api::source::OCIRepository;
use weir_api::status::{FluxObject, ObjectStatus};
use weir_registry::{ClientOptions, Reference, RegistryClient};
use weir_source::oci::artifact;
use weir_testkit::cluster::{Cluster, config_map};
use weir_testkit::oci::{SigningKey, push_artifact, push_signature};
use weir_testkit::registry::{Registry, RegistryAuth, RegistryOptions};
use weir_testkit::tls::Certificates;
use weir_tls::TlsMaterial;

fn oci_sync(name: &str, url: &str, reference: &str, extra: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: {name}\n  namespace: default\n\
         spec:\n  interval: 1s\n  insecure: true\n  url: {url}\n  ref:\n    {reference}\n{extra}---\n\
         apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n  namespace: default\n\
         spec:\n  interval: 2s\n  path: ./\n  prune: true\n  sourceRef:\n    kind: OCIRepository\n    name: {name}\n"
    )
}

fn condition<K: FluxObject>(object: &K, kind: &str) -> Option<(String, String, String)> {
    let condition = object.status()?.conditions().iter().find(|condition| condition.type_ == kind)?.clone();
    Some((condition.status, condition.reason, condition.message))
}

fn revision(repository: &OCIRepository) -> Option<&str> {
    repository.status.as_ref()?.artifact.as_ref().map(|artifact| artifact.revision.as_str())
}

fn applied_revision(kustomization: &Kustomization) -> Option<&str> {
    kustomization.status.as_ref()?.last_applied_revision.as_deref()
}

async fn value_of(cluster: &Cluster, name: &str) -> Option<String> {
    let object = cluster.get("v1", "ConfigMap", Some("default"), name).await?;
    object["data"]["value"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_highest_tag_in_range_is_applied_and_followed() {
    let registry = Registry::start(&RegistryOptions::default());
    let files = |value: &str| vec![("settings.yaml", config_map("default", "settings", value))];
    let push = |tag: &str, value: &str| {
        let files = files(value);
        let files: Vec<(&str, &str)> = files.iter().map(|(path, content)| (*path, content.as_str())).collect();
        let annotations = [
            ("org.opencontainers.image.source", "https://github.com/example/fleet"),
            ("org.opencontainers.image.revision", "main@sha1:0123456789abcdef0123456789abcdef01234567"),
        ];
        push_artifact(&registry.host, &format!("fleet/manifests:{tag}"), &files, &annotations, None)
    };
    let first = push("1.0.0", "one");
    let cluster = Cluster::start().await;
    let url = format!("oci://{}/fleet/manifests", registry.host);
    cluster.apply(&oci_sync("fleet", &url, "semver: \">=1.0.0 <2.0.0\"", "")).await;

    let expected = format!("1.0.0@{first}");
    let kustomization: Kustomization =
        cluster.wait("default", "fleet", |k: &Kustomization| applied_revision(k) == Some(expected.as_str())).await;
    assert_eq!(value_of(&cluster, "settings").await.as_deref(), Some("one"));
    assert_eq!(kustomization.status.unwrap().last_applied_revision.unwrap(), expected);
    let source: OCIRepository = cluster.wait("default", "fleet", |r: &OCIRepository| revision(r).is_some()).await;
    let (status, reason, message) = condition(&source, "Ready").unwrap();
    assert_eq!((status.as_str(), reason.as_str()), ("True", "Succeeded"));
    assert_eq!(message, format!("stored artifact for digest '{expected}'"));
    let artifact = source.status.as_ref().unwrap().artifact.clone().unwrap();
    let metadata = artifact.metadata.unwrap();
    assert_eq!(metadata["org.opencontainers.image.source"], "https://github.com/example/fleet");

    // A push within the range is applied within the interval; one outside it is not.
    let second = push("1.1.0", "two");
    let expected = format!("1.1.0@{second}");
    cluster.wait("default", "fleet", |k: &Kustomization| applied_revision(k) == Some(expected.as_str())).await;
    assert_eq!(value_of(&cluster, "settings").await.as_deref(), Some("two"));
    push("2.0.0", "three");
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let source: OCIRepository = cluster.wait("default", "fleet", |_: &OCIRepository| true).await;
    assert_eq!(revision(&source), Some(expected.as_str()), "2.0.0 is outside the range");
    assert_eq!(value_of(&cluster, "settings").await.as_deref(), Some("two"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_refuses_unsigned_artifacts_and_keeps_what_was_applied() {
    let registry = Registry::start(&RegistryOptions::default());
    let key = SigningKey::generate();
    let push = |tag: &str, value: &str| {
        let settings = config_map("default", "settings", value);
        push_artifact(&registry.host, &format!("signed/app:{tag}"), &[("settings.yaml", &settings)], &[], None)
    };
    let signed = push("v1", "signed");
    push_signature(&registry.host, "signed/app", &signed, &key);
    let cluster = Cluster::start().await;
    let keys = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cosign-keys\n  namespace: default\nstringData:\n  cosign.pub: |\n{}",
        key.public_pem.lines().map(|line| format!("    {line}\n")).collect::<String>()
    );
    cluster.apply(&keys).await;
    let url = format!("oci://{}/signed/app", registry.host);
    let verify = "  verify:\n    provider: cosign\n    secretRef:\n      name: cosign-keys\n";
    cluster.apply(&oci_sync("signed", &url, "tag: v1", verify)).await;

    let expected = format!("v1@{signed}");
    cluster.wait("default", "signed", |k: &Kustomization| applied_revision(k) == Some(expected.as_str())).await;
    let source: OCIRepository = cluster.wait("default", "signed", |r: &OCIRepository| revision(r).is_some()).await;
    let (status, reason, message) = condition(&source, "SourceVerified").unwrap();
    assert_eq!((status.as_str(), reason.as_str()), ("True", "Succeeded"));
    assert_eq!(message, format!("verified signature of revision {expected}"));

    // The tag moves to an unsigned artifact: refused, the signed one stays applied.
    let unsigned = push("v1", "unsigned");
    let refused: OCIRepository = cluster
        .wait("default", "signed", |r: &OCIRepository| {
            condition(r, "SourceVerified").is_some_and(|(status, _, _)| status == "False")
        })
        .await;
    let (_, reason, message) = condition(&refused, "SourceVerified").unwrap();
    assert_eq!(reason, "VerificationError");
    assert_eq!(
        message,
        format!(
            "failed to verify the signature using provider 'cosign': no matching signatures were found for '{}/signed/app@{unsigned}'",
            registry.host
        )
    );
    assert_eq!(condition(&refused, "Ready").unwrap().0, "False");
    assert_eq!(revision(&refused), Some(expected.as_str()), "no new artifact without a signature");
    assert_eq!(value_of(&cluster, "settings").await.as_deref(), Some("signed"));

    // Signed by a key the Secret does not hold: refused too; signed by ours: applied.
    push_signature(&registry.host, "signed/app", &unsigned, &SigningKey::generate());
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let still: OCIRepository = cluster.wait("default", "signed", |_: &OCIRepository| true).await;
    assert_eq!(revision(&still), Some(expected.as_str()));
    push_signature(&registry.host, "signed/app", &unsigned, &key);
    let now = format!("v1@{unsigned}");
    cluster.wait("default", "signed", |k: &Kustomization| applied_revision(k) == Some(now.as_str())).await;
    assert_eq!(value_of(&cluster, "settings").await.as_deref(), Some("unsigned"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_reported_as_flux_reports_them() {
    let options = RegistryOptions {
        auth: RegistryAuth::Basic { username: "ci", password: "pushes" },
        ..RegistryOptions::default()
    };
    let registry = Registry::start(&options);
    let settings = config_map("default", "settings", "private");
    let digest =
        push_artifact(&registry.host, "private/app:v1", &[("settings.yaml", &settings)], &[], Some(("ci", "pushes")));
    let cluster = Cluster::start().await;
    let url = format!("oci://{}/private/app", registry.host);
    let docker_config = |password: &str| {
        use base64::Engine as _;
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("ci:{password}"));
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: registry-{password}\n  namespace: default\n\
             type: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{{\"auths\":{{\"{}\":{{\"auth\":\"{auth}\"}}}}}}'\n",
            registry.host
        )
    };
    cluster.apply(&docker_config("wrong")).await;
    cluster.apply(&docker_config("pushes")).await;

    let secret = |name: &str| format!("  secretRef:\n    name: {name}\n");
    cluster.apply(&oci_sync("denied", &url, "tag: v1", &secret("registry-wrong"))).await;
    let denied: OCIRepository = cluster
        .wait("default", "denied", |r: &OCIRepository| condition(r, "Ready").is_some_and(|(s, _, _)| s == "False"))
        .await;
    let (_, reason, message) = condition(&denied, "Ready").unwrap();
    assert_eq!(reason, "OCIArtifactPullFailed");
    assert!(message.starts_with("failed to determine artifact digest: "), "{message}");
    assert!(message.contains("401") && !message.contains("pushes"), "{message}");

    cluster.apply(&oci_sync("missing", &url, "tag: v1", &secret("nope"))).await;
    let missing: OCIRepository = cluster
        .wait("default", "missing", |r: &OCIRepository| condition(r, "Ready").is_some_and(|(s, _, _)| s == "False"))
        .await;
    let (_, reason, message) = condition(&missing, "Ready").unwrap();
    assert_eq!(reason, "AuthenticationFailed");
    assert!(message.starts_with("failed to get secret 'default/nope'"), "{message}");

    cluster.apply(&oci_sync("tagged", &format!("{url}:v1"), "tag: v1", "")).await;
    let tagged: OCIRepository = cluster
        .wait("default", "tagged", |r: &OCIRepository| condition(r, "Stalled").is_some_and(|(s, _, _)| s == "True"))
        .await;
    let (_, reason, message) = condition(&tagged, "Ready").unwrap();
    assert_eq!(reason, "URLInvalid");
    assert_eq!(message, format!("URL validation failed for '{url}:v1': URL must not contain a tag; remove ':v1'"));

    cluster.apply(&oci_sync("private", &url, "tag: v1", &secret("registry-pushes"))).await;
    let expected = format!("v1@{digest}");
    cluster.wait("default", "private", |k: &Kustomization| applied_revision(k) == Some(expected.as_str())).await;
    assert_eq!(value_of(&cluster, "settings").await.as_deref(), Some("private"));
}

/// A registry that requires mutual TLS: the OCIRepository's `certSecretRef` gives the CA
/// (`ca.crt`) and the client certificate (`tls.crt`, `tls.key`); the CA alone does not get in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cert_secret_ref_gives_the_ca_and_the_client_certificate() {
    let certificates = Certificates::generate();
    let registry = Registry::start(&RegistryOptions {
        tls: Some(&certificates),
        require_client_certificate: true,
        ..RegistryOptions::default()
    });
    let reference = Reference::parse(&format!("{}/mutual/app:v1", registry.host)).unwrap();
    let content = tempfile::tempdir().unwrap();
    std::fs::write(content.path().join("settings.yaml"), config_map("default", "settings", "mutual")).unwrap();
    let identity =
        (certificates.client_cert_pem.clone(), certificates.client_key_pem.clone(), certificates.ca_pem.clone());
    let path = content.path().to_path_buf();
    let pushed = tokio::task::spawn_blocking(move || {
        let client = (identity.0.as_bytes(), identity.1.as_bytes());
        let material = TlsMaterial { ca_pem: Some(identity.2.as_bytes()), client: Some(client) };
        let options =
            ClientOptions { tls: Some(weir_tls::client_config(material).unwrap()), ..ClientOptions::default() };
        let client = RegistryClient::new(options).unwrap();
        artifact::push(&client, &reference, &path, &[], &artifact::Metadata::default()).unwrap()
    })
    .await
    .unwrap();

    let cluster = Cluster::start().await;
    let indent = |pem: &str| pem.lines().map(|line| format!("    {line}\n")).collect::<String>();
    let secret = |name: &str, with_client: bool| {
        let mut secret = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\nstringData:\n  ca.crt: |\n{}",
            indent(&certificates.ca_pem)
        );
        if with_client {
            secret.push_str(&format!(
                "  tls.crt: |\n{}  tls.key: |\n{}",
                indent(&certificates.client_cert_pem),
                indent(&certificates.client_key_pem)
            ));
        }
        secret
    };
    cluster.apply(&secret("registry-identity", true)).await;
    cluster.apply(&secret("registry-ca", false)).await;
    let url = format!("oci://{}/mutual/app", registry.host);
    let source = |name: &str, secret: &str| {
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: {name}\n  namespace: default\n\
             spec:\n  interval: 1s\n  url: {url}\n  ref:\n    tag: v1\n  certSecretRef:\n    name: {secret}\n"
        )
    };
    cluster.apply(&source("ca-only", "registry-ca")).await;
    let refused: OCIRepository = cluster
        .wait("default", "ca-only", |r: &OCIRepository| condition(r, "Ready").is_some_and(|(s, _, _)| s == "False"))
        .await;
    let (_, reason, message) = condition(&refused, "Ready").unwrap();
    assert_eq!(reason, "OCIArtifactPullFailed");
    assert!(message.starts_with("failed to determine artifact digest: "), "{message}");

    let synced = source("mutual", "registry-identity").replace("---\n", "")
        + "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: mutual\n  namespace: default\n\
           spec:\n  interval: 2s\n  path: ./\n  prune: true\n  sourceRef:\n    kind: OCIRepository\n    name: mutual\n";
    cluster.apply(&synced).await;
    let expected = format!("v1@{}", pushed.digest);
    cluster.wait("default", "mutual", |k: &Kustomization| applied_revision(k) == Some(expected.as_str())).await;
    assert_eq!(value_of(&cluster, "settings").await.as_deref(), Some("mutual"));
}

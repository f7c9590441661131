//! Bucket against a real S3 server (moto, checking SigV4 signatures), its objects written by
//! boto3: the artifact and Flux's revision, an unchanged bucket keeping it, a changed object
//! making a new one, prefix and ignore rules, the failures Flux reports, and a HelmChart
//! packaged from a chart directory in a bucket; an endpoint over TLS trusted through
//! `certSecretRef`.

use sha2::Digest as _;
use weir_api::source::{Bucket, HelmChart};
use weir_api::status::{FluxObject, ObjectStatus};
use weir_testkit::charts::{self, ChartRepository};
use weir_testkit::cluster::Cluster;
use weir_testkit::s3::{ACCESS_KEY, S3Server, SECRET_KEY};
use weir_testkit::tls::Certificates;

fn keys(name: &str, secret_key: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\n\
         stringData:\n  accesskey: {ACCESS_KEY}\n  secretkey: {secret_key}\n"
    )
}

fn bucket(name: &str, bucket_name: &str, endpoint: &str, extra: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata:\n  name: {name}\n  namespace: default\n\
         spec:\n  interval: 1s\n  bucketName: {bucket_name}\n  endpoint: {endpoint}\n  insecure: true\n{extra}"
    )
}

fn ready<K: FluxObject>(object: &K) -> Option<(String, String, String)> {
    let condition = object.status()?.conditions().iter().find(|condition| condition.type_ == "Ready")?.clone();
    Some((condition.status, condition.reason, condition.message))
}

fn revision(bucket: &Bucket) -> Option<String> {
    bucket.status.as_ref()?.artifact.as_ref().map(|artifact| artifact.revision.clone())
}

/// Flux's revision of what boto3 lists: SHA-256 over `<key> <etag>\n`, keys sorted.
fn expected_revision(listing: &[(String, String)], keep: impl Fn(&str) -> bool) -> String {
    let mut lines: Vec<_> = listing.iter().filter(|(key, _)| keep(key)).collect();
    lines.sort();
    let text: String = lines.iter().map(|(key, etag)| format!("{key} {etag}\n")).collect();
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(text.as_bytes())))
}

/// The files of an artifact directory, relative, sorted.
fn files(dir: &std::path::Path) -> Vec<String> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_becomes_an_artifact_with_fluxs_revision_and_follows_changes() {
    let s3 = S3Server::start();
    s3.create_bucket("fleet");
    s3.put(
        "fleet",
        &[
            ("apps/podinfo.yaml", "kind: ConfigMap\n"),
            ("apps/logo.png", "not an image"),
            ("apps/notes.tmp", "scratch"),
            ("apps/secret/key.yaml", "hidden"),
            ("infra/cluster.yaml", "kind: Namespace\n"),
            ("other/readme.md", "outside the prefix"),
            (".sourceignore", "secret/\n"),
        ],
    );
    let cluster = Cluster::start().await;
    cluster.apply(&keys("s3-keys", SECRET_KEY)).await;
    let spec = "  secretRef:\n    name: s3-keys\n  ignore: |\n    *.tmp\n";
    cluster.apply(&bucket("fleet", "fleet", &s3.endpoint, spec)).await;
    let ready_bucket = cluster.wait("default", "fleet", |b: &Bucket| ready(b).is_some_and(|r| r.0 == "True")).await;
    let listing = s3.etags("fleet");
    let visible = |key: &str| key != ".sourceignore" && !key.ends_with(".tmp") && !key.starts_with("apps/secret/");
    let expected = expected_revision(&listing, visible);
    let artifact = ready_bucket.status.as_ref().unwrap().artifact.clone().unwrap();
    assert_eq!(artifact.revision, expected);
    let (_, reason, message) = ready(&ready_bucket).unwrap();
    assert_eq!((reason.as_str(), message), ("Succeeded", format!("stored artifact: revision '{expected}'")));
    let dir = cluster.artifact_dir(&artifact.path);
    // No default exclusions for buckets (the .png stays); the root .sourceignore is kept, as Flux
    // downloads it into the directory it archives.
    assert_eq!(
        files(&dir),
        [".sourceignore", "apps/logo.png", "apps/podinfo.yaml", "infra/cluster.yaml", "other/readme.md"]
    );
    assert_eq!(std::fs::read_to_string(dir.join("apps/podinfo.yaml")).unwrap(), "kind: ConfigMap\n");

    // Unchanged: the same revision and artifact, reconciliation after reconciliation.
    let before = artifact.clone();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let again = cluster.wait("default", "fleet", |b: &Bucket| ready(b).is_some_and(|r| r.0 == "True")).await;
    let now = again.status.unwrap().artifact.unwrap();
    // The very same artifact record: not stored again (its time would be new).
    assert_eq!(now, before);

    // A changed object is a new revision within the interval; a deleted one leaves it.
    s3.put("fleet", &[("apps/podinfo.yaml", "kind: ConfigMap\nchanged: true\n")]);
    s3.delete("fleet", &["infra/cluster.yaml"]);
    let expected = expected_revision(&s3.etags("fleet"), visible);
    assert_ne!(expected, before.revision);
    let changed = cluster.wait("default", "fleet", |b: &Bucket| revision(b).is_some_and(|r| r == expected)).await;
    let dir = cluster.artifact_dir(&changed.status.unwrap().artifact.unwrap().path);
    assert!(std::fs::read_to_string(dir.join("apps/podinfo.yaml")).unwrap().contains("changed: true"));
    assert!(!dir.join("infra/cluster.yaml").exists());

    // spec.prefix: only the keys under it, kept with their full key as the path.
    let prefixed = "  secretRef:\n    name: s3-keys\n  prefix: apps/\n";
    cluster.apply(&bucket("apps", "fleet", &s3.endpoint, prefixed)).await;
    let apps = cluster.wait("default", "apps", |b: &Bucket| ready(b).is_some_and(|r| r.0 == "True")).await;
    let artifact = apps.status.unwrap().artifact.unwrap();
    let in_prefix = |key: &str| key.starts_with("apps/") && !key.starts_with("apps/secret/");
    assert_eq!(artifact.revision, expected_revision(&s3.etags("fleet"), in_prefix));
    let dir = cluster.artifact_dir(&artifact.path);
    assert_eq!(files(&dir), [".sourceignore", "apps/logo.png", "apps/notes.tmp", "apps/podinfo.yaml"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_reported_as_flux_reports_them() {
    let s3 = S3Server::start();
    s3.create_bucket("fleet");
    s3.put("fleet", &[("a.yaml", "a: 1\n")]);
    let cluster = Cluster::start().await;
    let failed = |b: &Bucket| ready(b).is_some_and(|r| r.0 == "False");

    // A wrong secret key: S3 refuses the signature, and the message says which bucket and why.
    cluster.apply(&keys("wrong-keys", "not-the-secret")).await;
    cluster.apply(&bucket("wrong-key", "fleet", &s3.endpoint, "  secretRef:\n    name: wrong-keys\n")).await;
    let wrong = cluster.wait("default", "wrong-key", failed).await;
    let (_, reason, message) = ready(&wrong).unwrap();
    assert_eq!(reason, "BucketOperationFailed");
    assert!(
        message
            .starts_with("failed to confirm existence of 'fleet' bucket: SignatureDoesNotMatch: The request signature")
            && message.contains(&format!("HTTP 403 Forbidden from http://{}", s3.endpoint)),
        "{message}"
    );
    assert!(!message.contains("not-the-secret"), "the secret never shows");

    // A missing Secret.
    cluster.apply(&bucket("no-secret", "fleet", &s3.endpoint, "  secretRef:\n    name: nope\n")).await;
    let no_secret = cluster.wait("default", "no-secret", failed).await;
    let (_, reason, message) = ready(&no_secret).unwrap();
    assert_eq!(reason, "AuthenticationFailed");
    assert!(message.starts_with("failed to get secret 'default/nope'"), "{message}");

    // A missing bucket.
    cluster.apply(&keys("s3-keys", SECRET_KEY)).await;
    cluster.apply(&bucket("missing", "absent", &s3.endpoint, "  secretRef:\n    name: s3-keys\n")).await;
    let missing = cluster.wait("default", "missing", failed).await;
    let (_, reason, message) = ready(&missing).unwrap();
    assert_eq!(
        (reason.as_str(), message),
        ("BucketOperationFailed", format!("bucket 'absent' not found at http://{}", s3.endpoint))
    );

    // A cloud provider: refused, stalled, saying what works.
    let aws = "  provider: aws\n  secretRef:\n    name: s3-keys\n";
    cluster.apply(&bucket("on-aws", "fleet", &s3.endpoint, aws)).await;
    let refused = cluster.wait("default", "on-aws", failed).await;
    let (_, reason, message) = ready(&refused).unwrap();
    assert_eq!(reason, "InvalidSpec");
    assert!(
        message.starts_with("spec.provider: the 'aws' provider is not supported by weir: only static keys work"),
        "{message}"
    );
    let stalled =
        refused.status.as_ref().unwrap().conditions().iter().any(|c| c.type_ == "Stalled" && c.status == "True");
    assert!(stalled, "only a change of the spec can help");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helm_chart_is_packaged_from_a_bucket() {
    let charts_home = ChartRepository::new();
    let source = charts_home.chart_source("web", "2.3.0", "");
    let s3 = S3Server::start();
    s3.create_bucket("charts");
    let mut objects = Vec::new();
    for path in walk(&source) {
        let relative = path.strip_prefix(&source).unwrap().to_str().unwrap().to_owned();
        objects.push((format!("charts/web/{relative}"), std::fs::read_to_string(&path).unwrap()));
    }
    let objects: Vec<(&str, &str)> = objects.iter().map(|(key, body)| (key.as_str(), body.as_str())).collect();
    s3.put("charts", &objects);
    let cluster = Cluster::start().await;
    cluster.apply(&keys("s3-keys", SECRET_KEY)).await;
    cluster.apply(&bucket("charts", "charts", &s3.endpoint, "  secretRef:\n    name: s3-keys\n")).await;
    let source_bucket = cluster.wait("default", "charts", |b: &Bucket| ready(b).is_some_and(|r| r.0 == "True")).await;
    let bucket_revision = revision(&source_bucket).unwrap();
    cluster
        .apply(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: web\n  namespace: default\n\
             spec:\n  interval: 1s\n  chart: ./charts/web\n  reconcileStrategy: Revision\n  sourceRef:\n    kind: Bucket\n    name: charts\n",
        )
        .await;
    // Flux's Revision strategy for a Bucket: the index digest's first 12 hex digits.
    let expected = format!("2.3.0+{}", &bucket_revision["sha256:".len().."sha256:".len() + 12]);
    let chart: HelmChart = cluster
        .wait("default", "web", |c: &HelmChart| {
            c.status.as_ref().and_then(|s| s.artifact.as_ref()).is_some_and(|a| a.revision == expected)
        })
        .await;
    assert_eq!(ready(&chart).unwrap().2, format!("packaged 'web' chart with version '{expected}'"));
    assert_eq!(
        chart.status.as_ref().unwrap().observed_source_artifact_revision.as_deref(),
        Some(bucket_revision.as_str())
    );
    let archive =
        cluster.artifact_dir(&chart.status.as_ref().unwrap().artifact.as_ref().unwrap().path).join("chart.tgz");
    let shown = charts::helm(archive.parent().unwrap(), &["show", "chart", archive.to_str().unwrap()]);
    assert!(shown.contains("name: web") && shown.contains(&format!("version: {expected}")), "{shown}");

    // A changed object in the bucket is a new chart through the Bucket's watch.
    s3.put(
        "charts",
        &[("charts/web/templates/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n")],
    );
    cluster
        .wait("default", "web", |c: &HelmChart| {
            c.status.as_ref().and_then(|s| s.artifact.as_ref()).is_some_and(|a| a.revision != expected)
        })
        .await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

/// An S3 endpoint over TLS with a private CA: trusted through `certSecretRef`'s `ca.crt`,
/// refused with the certificate error without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_endpoints_are_trusted_through_cert_secret_ref() {
    let certificates = Certificates::generate();
    let s3 = S3Server::start_tls(&certificates);
    s3.create_bucket("secure");
    s3.put("secure", &[("settings.yaml", "kind: ConfigMap\n")]);
    let cluster = Cluster::start().await;
    cluster.apply(&keys("s3-keys", SECRET_KEY)).await;
    let ca: String = certificates.ca_pem.lines().map(|line| format!("    {line}\n")).collect();
    cluster
        .apply(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s3-ca\n  namespace: default\nstringData:\n  ca.crt: |\n{ca}"
        ))
        .await;
    let over_tls = |name: &str, extra: &str| {
        bucket(name, "secure", &s3.endpoint, &format!("  secretRef:\n    name: s3-keys\n{extra}"))
            .replace("  insecure: true\n", "")
    };

    cluster.apply(&over_tls("untrusted", "")).await;
    let untrusted = cluster.wait("default", "untrusted", |b: &Bucket| ready(b).is_some_and(|r| r.0 == "False")).await;
    let (_, reason, message) = ready(&untrusted).unwrap();
    assert_eq!(reason, "BucketOperationFailed");
    assert!(message.contains(&format!("https://{}", s3.endpoint)) && message.contains("certificate"), "{message}");

    cluster.apply(&over_tls("trusted", "  certSecretRef:\n    name: s3-ca\n")).await;
    let trusted = cluster.wait("default", "trusted", |b: &Bucket| revision(b).is_some()).await;
    assert_eq!(revision(&trusted), Some(expected_revision(&s3.etags("secure"), |_| true)));
    let (status, _, message) = ready(&trusted).unwrap();
    assert_eq!(status, "True", "{message}");
}

//! Flux's CLI verbs on weir's API, printing what flux prints: `create` (or `--export`), `get`,
//! `suspend` and `resume` for GitRepositories, HelmRepositories, HelmCharts, Kustomizations and
//! HelmReleases (`reconcile` is in [`super::reconcile`]). What every kind shares is
//! [`FluxKind`]; the verbs are written once over it.

pub(crate) mod table;
mod values;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::ResourceExt;
use kube::api::{Api, ListParams, ObjectMeta, Patch, PatchParams};
use serde_json::json;
use weir_api::helm::{
    ChartRefKind, CrdsPolicy, CrossNamespaceObjectReference, CrossNamespaceSourceReference, HelmChartTemplate,
    HelmChartTemplateSpec, HelmRelease, HelmReleaseSpec, Upgrade, ValuesKind, ValuesReference,
};
use weir_api::kustomize::{
    CrossNamespaceSourceReference as KustomizationSource, Kustomization, KustomizationSpec, SourceKind,
};
use weir_api::meta::{LocalObjectReference, NamespacedObjectReference, SecretKeyReference};
use weir_api::source::{
    Bucket, BucketProvider, BucketSpec, GitRepository, GitRepositoryRef, GitRepositorySpec, HelmChart,
    HelmChartSourceKind, HelmRepository, HelmRepositorySpec, HelmRepositoryType, OCILayerOperation, OCILayerSelector,
    OCIRepository, OCIRepositoryRef, OCIRepositorySpec, OCIRepositoryVerification, OidcIdentityMatch,
    ReconcileStrategy, RegistryProvider, VerificationProvider,
};
use weir_api::status::{ArtifactSource, FluxObject, ObjectStatus, READY, RECONCILING, Readiness, STALLED, readiness};

use crate::cluster::ClusterOptions;

/// The field manager of weir's CLI writes.
const FIELD_MANAGER: &str = "weir";

/// How often waits read the object again.
pub(crate) const POLL: Duration = Duration::from_millis(200);

/// What flux's waits fail with when `--timeout` passes.
pub(crate) const DEADLINE_EXCEEDED: &str = "context deadline exceeded";

/// What the verbs need to know of a kind beyond [`FluxObject`], as flux's adapters tell it.
pub(crate) trait FluxKind: FluxObject {
    /// How `suspend` and `resume` name the kind: `source git`, `helmrelease`.
    const HUMAN_KIND: &'static str;
    /// `get`'s REVISION.
    fn revision(&self) -> String;
    /// `get`'s READY and MESSAGE: the Ready condition, revisions in the message shortened.
    fn ready_column(&self) -> (String, String) {
        let (status, message) = ready_condition(self);
        (status, truncate_hex(&message))
    }
    /// `get --show-source`'s SOURCE, for the kinds that have the flag.
    fn source_column(&self) -> Option<String> {
        None
    }
    /// What `reconcile`, `resume` and `create` say when the object is ready.
    fn success_message(&self) -> String;
    /// An object no controller reconciles (an OCI HelmRepository): ready without conditions.
    fn is_static(&self) -> bool {
        false
    }
}

/// The sources whose revision is their artifact's, shortened, and whose success is fetching it.
macro_rules! artifact_source_kind {
    ($($kind:ty => $human:literal),+) => {
        $(impl FluxKind for $kind {
            const HUMAN_KIND: &'static str = $human;
            fn revision(&self) -> String {
                truncate_hex(&artifact_revision(self.artifact()))
            }
            fn success_message(&self) -> String {
                format!("fetched revision {}", artifact_revision(self.artifact()))
            }
        })+
    };
}

artifact_source_kind!(GitRepository => "source git", OCIRepository => "source oci", Bucket => "source bucket");

impl FluxKind for HelmRepository {
    const HUMAN_KIND: &'static str = "source helm";
    fn revision(&self) -> String {
        truncate_hex(&artifact_revision(self.status.as_ref().and_then(|status| status.artifact.as_ref())))
    }
    /// An OCI repository has no index to fetch: flux shows it Ready, whatever its status.
    fn ready_column(&self) -> (String, String) {
        if self.is_static() {
            return ("True".into(), "Helm repository is Ready".into());
        }
        let (status, message) = ready_condition(self);
        (status, truncate_hex(&message))
    }
    fn success_message(&self) -> String {
        if self.is_static() {
            return find_condition(self, READY).map(|ready| ready.message.clone()).unwrap_or_default();
        }
        format!("fetched revision {}", artifact_revision(self.status.as_ref().and_then(|s| s.artifact.as_ref())))
    }
    fn is_static(&self) -> bool {
        self.spec.type_ == Some(HelmRepositoryType::Oci)
    }
}

impl FluxKind for HelmChart {
    const HUMAN_KIND: &'static str = "source chart";
    /// A chart's revision is its version: not shortened.
    fn revision(&self) -> String {
        artifact_revision(self.status.as_ref().and_then(|status| status.artifact.as_ref()))
    }
    fn success_message(&self) -> String {
        format!("fetched revision {}", self.revision())
    }
}

impl FluxKind for Kustomization {
    const HUMAN_KIND: &'static str = "kustomization";
    fn revision(&self) -> String {
        truncate_hex(
            self.status.as_ref().and_then(|status| status.last_applied_revision.as_deref()).unwrap_or_default(),
        )
    }
    fn source_column(&self) -> Option<String> {
        let source = &self.spec.source_ref;
        Some(source_path(&enum_name(&source.kind), source.namespace.as_deref(), self, &source.name))
    }
    fn success_message(&self) -> String {
        let revision = self.status.as_ref().and_then(|status| status.last_applied_revision.as_deref());
        format!("applied revision {}", revision.unwrap_or_default())
    }
}

impl FluxKind for HelmRelease {
    const HUMAN_KIND: &'static str = "helmrelease";
    /// The chart version of the newest release, else the revision last attempted.
    fn revision(&self) -> String {
        let Some(status) = &self.status else { return String::new() };
        match status.history.as_deref().and_then(<[_]>::first) {
            Some(latest) => latest.chart_version.clone(),
            None => status.last_attempted_revision.clone().unwrap_or_default(),
        }
    }
    /// flux does not shorten a HelmRelease's message.
    fn ready_column(&self) -> (String, String) {
        ready_condition(self)
    }
    fn source_column(&self) -> Option<String> {
        if let Some(reference) = &self.spec.chart_ref {
            return Some(source_path(
                &enum_name(&reference.kind),
                reference.namespace.as_deref(),
                self,
                &reference.name,
            ));
        }
        let reference = &self.spec.chart.as_ref()?.spec.source_ref;
        Some(source_path(&enum_name(&reference.kind), reference.namespace.as_deref(), self, &reference.name))
    }
    fn success_message(&self) -> String {
        format!("applied revision {}", self.revision())
    }
}

fn artifact_revision(artifact: Option<&weir_api::meta::Artifact>) -> String {
    artifact.map(|artifact| artifact.revision.clone()).unwrap_or_default()
}

/// `Kind/namespace/name`, the namespace defaulting to the object's.
fn source_path(kind: &str, namespace: Option<&str>, object: &impl ResourceExt, name: &str) -> String {
    let namespace = namespace.map(str::to_owned).or_else(|| object.namespace()).unwrap_or_default();
    format!("{kind}/{namespace}/{name}")
}

/// An enum as the API spells it.
pub(crate) fn enum_name(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

pub(crate) fn find_condition<'a, K: FluxObject>(object: &'a K, kind: &str) -> Option<&'a Condition> {
    object.status()?.conditions().iter().find(|condition| condition.type_ == kind)
}

/// flux's `statusAndMessage`: the Ready condition's status and message, else `False` and
/// `waiting to be reconciled`.
fn ready_condition<K: FluxObject>(object: &K) -> (String, String) {
    match find_condition(object, READY) {
        Some(ready) => (ready.status.clone(), ready.message.clone()),
        None => ("False".into(), "waiting to be reconciled".into()),
    }
}

/// flux's `TruncateHex`: every hexadecimal word of 40 to 128 digits (a SHA-1 to SHA-512)
/// shortened to its first 8.
fn truncate_hex(text: &str) -> String {
    static HEX: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?-u:\b)[a-f0-9]{40,128}(?-u:\b)").expect("a valid pattern"));
    let hits: Vec<String> = HEX.find_iter(text).map(|hit| hit.as_str().to_owned()).collect();
    let mut text = text.to_owned();
    for hit in hits {
        text = text.replace(&hit, &hit[..8]);
    }
    text
}

/// flux's logger, which writes to stderr.
pub(crate) mod say {
    pub fn action(message: impl std::fmt::Display) {
        eprintln!("► {message}");
    }
    pub fn generate(message: impl std::fmt::Display) {
        eprintln!("✚ {message}");
    }
    pub fn waiting(message: impl std::fmt::Display) {
        eprintln!("◎ {message}");
    }
    pub fn success(message: impl std::fmt::Display) {
        eprintln!("✔ {message}");
    }
    pub fn failure(message: impl std::fmt::Display) {
        eprintln!("✗ {message}");
    }
}

/// A Kubernetes error as client-go prints it: the API's message alone.
pub(crate) fn api_error(error: kube::Error) -> anyhow::Error {
    match error {
        kube::Error::Api(status) if !status.message.is_empty() => anyhow::anyhow!(status.message),
        other => anyhow::Error::new(other),
    }
}

/// Go's `strconv.ParseBool`, for flags written `--prune=true` as flux's users write them.
pub(crate) fn go_bool(text: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!("strconv.ParseBool: parsing {text:?}: invalid syntax")),
    }
}

/// Go's `time.ParseDuration`, for `--timeout`.
pub(crate) fn parse_timeout(text: &str) -> anyhow::Result<Duration> {
    weir_go_compat::time::parse_duration(text).map_err(|error| anyhow::anyhow!("--timeout: {error}"))
}

/// What every `create` has: flux's persistent flags of `create`, and its root `--timeout`.
#[derive(clap::Args)]
struct CreateOptions {
    /// How often to reconcile the object.
    #[arg(long, default_value = "1m")]
    interval: String,
    /// Print the object as YAML instead of applying it.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    export: bool,
    /// How long to wait for the object to be ready.
    #[arg(long, default_value = "5m")]
    timeout: String,
}

#[derive(clap::Subcommand)]
pub enum CreateCommand {
    /// Create or update a source.
    #[command(subcommand)]
    Source(CreateSource),
    /// Create or update a Kustomization.
    #[command(alias = "ks")]
    Kustomization(CreateKustomization),
    /// Create or update a HelmRelease.
    #[command(alias = "hr")]
    Helmrelease(Box<CreateHelmRelease>),
    /// Create or update a Secret for a source or provider.
    #[command(subcommand)]
    Secret(crate::commands::secret::CreateSecret),
}

#[derive(clap::Subcommand)]
pub enum CreateSource {
    /// A GitRepository.
    Git(CreateGit),
    /// A HelmRepository: an index over HTTP(S), or an OCI registry (`oci://`).
    Helm(CreateHelm),
    /// An OCIRepository.
    Oci(Box<CreateOci>),
    /// A Bucket (S3 API), its keys in a Secret `bucket-<name>`.
    Bucket(Box<CreateBucket>),
}

#[derive(clap::Args)]
pub struct CreateOci {
    name: String,
    /// The OCI repository URL.
    #[arg(long, default_value = "")]
    url: String,
    /// The OCI artifact tag.
    #[arg(long, default_value = "")]
    tag: String,
    /// The OCI artifact tag semver range.
    #[arg(long = "tag-semver", default_value = "")]
    semver: String,
    /// The OCI artifact digest.
    #[arg(long, default_value = "")]
    digest: String,
    /// The name of the image pull secret (type 'kubernetes.io/dockerconfigjson').
    #[arg(long, default_value = "")]
    secret_ref: String,
    /// The name of a secret with the proxy address and credentials.
    #[arg(long, default_value = "")]
    proxy_secret_ref: String,
    /// The service account that refers to an image pull secret.
    #[arg(long, default_value = "")]
    service_account: String,
    /// The name of a secret to use for TLS certificates.
    #[arg(long = "cert-ref", default_value = "")]
    cert_secret_ref: String,
    /// Paths to ignore (comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore_paths: Vec<String>,
    /// The OCI provider: generic, aws, azure, gcp.
    #[arg(long, default_value = "generic")]
    provider: String,
    /// For registries over plain HTTP.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    insecure: bool,
    /// The layer selector: '<media-type>:<operation>'.
    #[arg(long, default_value = "")]
    layer_selector: String,
    /// The signature verification provider: cosign or notation.
    #[arg(long, default_value = "")]
    verify_provider: String,
    /// The name of a secret with the public keys to verify signatures with.
    #[arg(long, default_value = "")]
    verify_secret_ref: String,
    /// A regular expression for the OIDC issuer of keyless signatures.
    #[arg(long = "verify-issuer", default_value = "")]
    verify_oidc_issuer: String,
    /// A regular expression for the OIDC subject of keyless signatures.
    #[arg(long, default_value = "")]
    verify_subject: String,
    /// The source controller's timeout for a fetch (`spec.timeout`).
    #[arg(long)]
    fetch_timeout: Option<String>,
    #[command(flatten)]
    options: CreateOptions,
}

#[derive(clap::Args)]
pub struct CreateBucket {
    name: String,
    /// The bucket name.
    #[arg(long = "bucket-name", default_value = "")]
    bucket_name: String,
    /// The bucket endpoint address.
    #[arg(long, default_value = "")]
    endpoint: String,
    /// The bucket access key.
    #[arg(long, default_value = "")]
    access_key: String,
    /// The bucket secret key.
    #[arg(long, default_value = "")]
    secret_key: String,
    /// The bucket region.
    #[arg(long, default_value = "")]
    region: String,
    /// The provider: generic, aws, gcp, azure.
    #[arg(long, default_value = "generic")]
    provider: String,
    /// For a non-TLS S3 endpoint.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    insecure: bool,
    /// An existing secret with the credentials.
    #[arg(long, default_value = "")]
    secret_ref: String,
    /// An existing secret with the proxy address and credentials.
    #[arg(long, default_value = "")]
    proxy_secret_ref: String,
    /// Paths to ignore (comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore_paths: Vec<String>,
    /// The source controller's timeout for a fetch (`spec.timeout`).
    #[arg(long)]
    fetch_timeout: Option<String>,
    #[command(flatten)]
    options: CreateOptions,
}

#[derive(clap::Args)]
pub struct CreateGit {
    name: String,
    /// The repository URL.
    #[arg(long)]
    url: String,
    #[arg(long)]
    branch: Option<String>,
    #[arg(long)]
    tag: Option<String>,
    /// A semver range: the highest matching tag.
    #[arg(long = "tag-semver")]
    semver: Option<String>,
    #[arg(long)]
    commit: Option<String>,
    /// A Secret with the credentials.
    #[arg(long)]
    secret_ref: Option<String>,
    /// The source controller's timeout for a fetch (`spec.timeout`).
    #[arg(long)]
    fetch_timeout: Option<String>,
    #[command(flatten)]
    options: CreateOptions,
}

#[derive(clap::Args)]
pub struct CreateHelm {
    name: String,
    /// The repository URL: `http(s)://` for an index, `oci://` for a registry.
    #[arg(long)]
    url: Option<String>,
    /// A Secret with TLS, basic auth or docker-config credentials.
    #[arg(long)]
    secret_ref: Option<String>,
    /// A Secret with `tls.crt`, `tls.key` and/or `ca.crt` (weir's; flux has no such flag).
    #[arg(long)]
    cert_secret_ref: Option<String>,
    /// Send the credentials also to hosts other than the URL's (with --secret-ref).
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    pass_credentials: bool,
    /// The cloud identity to log in to an OCI registry with: generic, aws, azure, gcp.
    #[arg(long)]
    oci_provider: Option<String>,
    /// The source controller's timeout for a fetch (`spec.timeout`).
    #[arg(long)]
    fetch_timeout: Option<String>,
    #[command(flatten)]
    options: CreateOptions,
}

#[derive(clap::Args)]
pub struct CreateKustomization {
    name: String,
    /// The source: `[Kind/]NAME[.NAMESPACE]` (kind GitRepository by default).
    #[arg(long)]
    source: String,
    /// The directory in the source to build.
    #[arg(long, default_value = "./")]
    path: String,
    /// Delete objects that left the source.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    prune: bool,
    #[arg(long)]
    target_namespace: Option<String>,
    /// Kustomizations to wait for: `NAME` or `NAMESPACE/NAME`, repeatable.
    #[arg(long, value_delimiter = ',')]
    depends_on: Vec<String>,
    /// Apply as this ServiceAccount.
    #[arg(long)]
    service_account: Option<String>,
    /// Wait for every applied object to be ready.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    wait: bool,
    #[command(flatten)]
    options: CreateOptions,
}

#[derive(clap::Args)]
pub struct CreateHelmRelease {
    name: String,
    /// The Helm release name (default `[<target-namespace>-]<name>`).
    #[arg(long)]
    release_name: Option<String>,
    /// The source of the chart: `Kind/NAME[.NAMESPACE]`, kind HelmRepository, GitRepository or Bucket.
    #[arg(long)]
    source: Option<String>,
    /// The chart's name, or its path in a GitRepository or Bucket.
    #[arg(long)]
    chart: Option<String>,
    /// A semver range of chart versions.
    #[arg(long)]
    chart_version: Option<String>,
    /// An existing chart artifact instead: `Kind/NAME[.NAMESPACE]`, kind OCIRepository or HelmChart.
    #[arg(long)]
    chart_ref: Option<String>,
    /// HelmReleases to wait for: `NAME` or `NAMESPACE/NAME`, repeatable.
    #[arg(long, value_delimiter = ',')]
    depends_on: Vec<String>,
    /// The namespace to install the release in.
    #[arg(long)]
    target_namespace: Option<String>,
    /// The namespace to store the release in (default: the target namespace).
    #[arg(long)]
    storage_namespace: Option<String>,
    /// Create the target namespace if it is missing.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    create_target_namespace: bool,
    /// Release as this ServiceAccount.
    #[arg(long)]
    service_account: Option<String>,
    /// What makes a new chart artifact: ChartVersion or Revision.
    #[arg(long, default_value = "ChartVersion")]
    reconcile_strategy: String,
    /// How often to check for new chart versions.
    #[arg(long)]
    chart_interval: Option<String>,
    /// Local values files merged into `spec.values`, later ones winning; repeatable.
    #[arg(long = "values", value_delimiter = ',')]
    values: Vec<PathBuf>,
    /// Values from the cluster: `Secret/NAME` or `ConfigMap/NAME`, repeatable.
    #[arg(long, value_delimiter = ',')]
    values_from: Vec<String>,
    /// The upgrade CRDs policy: Skip, Create or CreateReplace.
    #[arg(long)]
    crds: Option<String>,
    /// A Secret with the kubeconfig of a remote cluster to release to.
    #[arg(long)]
    kubeconfig_secret_ref: Option<String>,
    #[command(flatten)]
    options: CreateOptions,
}

/// `1m` as Go prints durations: `1m0s`.
fn go_duration(text: &str) -> anyhow::Result<String> {
    let parsed = weir_go_compat::time::parse_duration(text)
        .map_err(|_| anyhow::anyhow!("{text:?} is not a duration (e.g. 30s, 5m, 1h30m)"))?;
    Ok(weir_go_compat::time::format_duration(parsed))
}

/// flux's `ParseObjectKindNameNamespace`: `[Kind/]NAME[.NAMESPACE]`, the namespace after the last dot.
fn kind_name_namespace(text: &str) -> (Option<&str>, String, Option<String>) {
    let (kind, rest) = match text.split('/').collect::<Vec<_>>()[..] {
        [kind, name] => (Some(kind), name),
        _ => (None, text),
    };
    match rest.rsplit_once('.') {
        Some((name, namespace)) => (kind, name.to_owned(), Some(namespace.to_owned())),
        None => (kind, rest.to_owned(), None),
    }
}

/// `--depends-on` as Flux's `MakeDependsOn` reads it: `NAME` or `NAMESPACE/NAME`.
fn depends_on(entries: &[String]) -> Option<Vec<NamespacedObjectReference>> {
    let references: Vec<_> = entries
        .iter()
        .map(|entry| match entry.split('/').collect::<Vec<_>>()[..] {
            [namespace, name, ..] => NamespacedObjectReference {
                name: name.to_owned(),
                namespace: Some(namespace.to_owned()).filter(|n| !n.is_empty()),
            },
            _ => NamespacedObjectReference { name: entry.clone(), namespace: None },
        })
        .collect();
    (!references.is_empty()).then_some(references)
}

/// The first of `allowed` equal to `given` ignoring case, as flux accepts kinds.
fn one_of<'a>(allowed: &[&'a str], given: &str) -> Option<&'a str> {
    allowed.iter().copied().find(|kind| kind.eq_ignore_ascii_case(given))
}

/// flux's check of the name `create` is given (RFC 1123, at least two characters).
pub(crate) fn check_name(name: &str) -> anyhow::Result<()> {
    static NAME: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^[a-z0-9]([a-z0-9\-]){0,61}[a-z0-9]$").expect("a valid pattern")
    });
    if !NAME.is_match(name) {
        bail!(
            "name '{name}' is invalid, it should adhere to standard defined in RFC 1123, the name can only contain alphanumeric characters or '-'"
        );
    }
    Ok(())
}

/// The scheme (lower case, as Go's `url.Parse` has it) and host of a URL.
fn scheme_and_host(url: &str) -> (String, String) {
    let Some((scheme, rest)) = url.split_once(':') else { return (String::new(), String::new()) };
    let valid = scheme.chars().next().is_some_and(|first| first.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !valid {
        return (String::new(), String::new());
    }
    let host = rest.strip_prefix("//").map_or("", |authority| {
        let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
        authority.rsplit_once('@').map_or(authority, |(_, host)| host)
    });
    (scheme.to_ascii_lowercase(), host.to_owned())
}

/// Prints the object as `flux … --export` does: `---`, then its YAML.
fn export(object: &impl serde::Serialize) -> anyhow::Result<()> {
    let value = serde_json::to_value(object)?;
    print!("---\n{}", weir_go_yaml::emit_document(&value));
    Ok(())
}

/// How `create` tells of a kind: what it generates, what is created or updated, what is ready.
struct Creating {
    /// `GitRepository source`, `Kustomization`.
    subject: &'static str,
    /// `GitRepository source created`, but `source created` for a HelmRepository.
    created: &'static str,
    /// Sources say `… source reconciliation completed`, the others `Kind NAME is ready`.
    source: bool,
}

/// `create` without `--export`: applies the object, then waits until it is ready and says so
/// as flux does.
async fn upsert_and_wait<K: FluxKind>(
    cluster: &ClusterOptions,
    object: &K,
    creating: &Creating,
    timeout: &str,
) -> anyhow::Result<K> {
    let timeout = parse_timeout(timeout)?;
    let name = object.name_any();
    let api: Api<K> = Api::namespaced(cluster.client().await?, cluster.namespace());
    say::action(format!("applying {}", creating.subject));
    let existed = api.get_opt(&name).await.map_err(api_error)?.is_some();
    api.patch(&name, &PatchParams::apply(FIELD_MANAGER).force(), &Patch::Apply(object)).await.map_err(api_error)?;
    say::success(format!("{} {}", creating.created, if existed { "updated" } else { "created" }));
    say::waiting(format!("waiting for {} reconciliation", creating.subject));
    let ready = wait_ready(&api, &name, timeout).await?;
    if creating.source {
        say::success(format!("{} reconciliation completed", creating.subject));
    } else {
        say::success(format!("{} {name} is ready", K::KIND));
    }
    Ok(ready)
}

/// Waits until the object is ready as flux's `isObjectReady` reads it: reconciled at its
/// generation and Ready (an object no controller reconciles: not in progress by kstatus). A
/// failure the controller reports is the error.
pub(crate) async fn wait_ready<K: FluxKind>(api: &Api<K>, name: &str, timeout: Duration) -> anyhow::Result<K> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let object = api.get(name).await.map_err(api_error)?;
        let done = if object.is_static() {
            kstatus_current(&object)
        } else {
            match readiness(&object) {
                Readiness::Ready(_) => Ok(true),
                Readiness::InProgress(_) => Ok(false),
                Readiness::Failed { message, .. } | Readiness::Stalled { message, .. } => Err(message),
            }
        };
        match done {
            Ok(true) => return Ok(object),
            Ok(false) => {}
            Err(message) => bail!(message),
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(DEADLINE_EXCEEDED);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// kstatus' generic reading of an object without a Ready condition to go by: in progress while
/// deleted, at an unobserved generation or `Reconciling`; failed when `Stalled`.
fn kstatus_current<K: FluxObject>(object: &K) -> Result<bool, String> {
    if object.meta().deletion_timestamp.is_some() {
        return Ok(false);
    }
    let observed = object.status().and_then(ObjectStatus::observed_generation);
    if observed.is_some() && observed != object.meta().generation {
        return Ok(false);
    }
    if find_condition(object, RECONCILING).is_some_and(|condition| condition.status == "True") {
        return Ok(false);
    }
    match find_condition(object, STALLED).filter(|condition| condition.status == "True") {
        Some(stalled) => Err(stalled.message.clone()),
        None => Ok(true),
    }
}

impl CreateCommand {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let metadata = |name: &str| ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(cluster.namespace().to_owned()),
            ..ObjectMeta::default()
        };
        match self {
            CreateCommand::Source(CreateSource::Git(git)) => {
                check_name(&git.name)?;
                let reference = GitRepositoryRef {
                    branch: git.branch,
                    tag: git.tag,
                    semver: git.semver,
                    name: None,
                    commit: git.commit,
                };
                let spec = GitRepositorySpec {
                    url: git.url,
                    interval: go_duration(&git.options.interval)?,
                    reference: (reference != GitRepositoryRef::default()).then_some(reference),
                    secret_ref: git.secret_ref.map(|name| LocalObjectReference { name }),
                    timeout: git.fetch_timeout.as_deref().map(go_duration).transpose()?,
                    ..GitRepositorySpec::default()
                };
                let repository = GitRepository { metadata: metadata(&git.name), spec, status: None };
                if git.options.export {
                    return export(&repository);
                }
                say::generate("generating GitRepository source");
                let creating =
                    Creating { subject: "GitRepository source", created: "GitRepository source", source: true };
                let ready = upsert_and_wait(cluster, &repository, &creating, &git.options.timeout).await?;
                fetched(ready.status.and_then(|status| status.artifact), &no_artifact("GitRepository"))
            }
            CreateCommand::Source(CreateSource::Helm(helm)) => create_helm_repository(cluster, helm, metadata).await,
            CreateCommand::Source(CreateSource::Oci(oci)) => create_oci_repository(cluster, *oci, metadata).await,
            CreateCommand::Source(CreateSource::Bucket(bucket)) => create_bucket(cluster, *bucket, metadata).await,
            CreateCommand::Kustomization(ks) => {
                check_name(&ks.name)?;
                let (kind, source_name, source_namespace) = kind_name_namespace(&ks.source);
                let kind = match kind.unwrap_or("GitRepository") {
                    "GitRepository" => SourceKind::GitRepository,
                    "OCIRepository" => SourceKind::OCIRepository,
                    "Bucket" => SourceKind::Bucket,
                    other => bail!("--source kind {other:?} is not one of GitRepository, OCIRepository, Bucket"),
                };
                let spec = KustomizationSpec {
                    interval: go_duration(&ks.options.interval)?,
                    path: Some(ks.path),
                    prune: ks.prune,
                    source_ref: KustomizationSource {
                        api_version: None,
                        kind,
                        name: source_name,
                        namespace: source_namespace,
                    },
                    target_namespace: ks.target_namespace,
                    depends_on: depends_on(&ks.depends_on),
                    service_account_name: ks.service_account,
                    wait: ks.wait.then_some(true),
                    ..KustomizationSpec::default()
                };
                let kustomization = Kustomization { metadata: metadata(&ks.name), spec, status: None };
                if ks.options.export {
                    return export(&kustomization);
                }
                say::generate("generating Kustomization");
                let creating = Creating { subject: "Kustomization", created: "Kustomization", source: false };
                let ready = upsert_and_wait(cluster, &kustomization, &creating, &ks.options.timeout).await?;
                say::success(ready.success_message());
                Ok(())
            }
            CreateCommand::Helmrelease(release) => create_helm_release(cluster, *release, metadata).await,
            CreateCommand::Secret(secret) => secret.run(cluster).await,
        }
    }
}

/// The last words of creating a source: its revision, or the error that it has none.
fn fetched(artifact: Option<weir_api::meta::Artifact>, missing: &str) -> anyhow::Result<()> {
    match artifact {
        Some(artifact) => {
            say::success(format!("fetched revision: {}", artifact.revision));
            Ok(())
        }
        None => bail!("{missing}"),
    }
}

/// What `create source git|helm` says when the source is ready without an artifact.
fn no_artifact(kind: &str) -> String {
    format!("{kind} source reconciliation completed but no artifact was found")
}

/// `create source helm`, checking the URL as flux does; `type: oci` for an `oci://` URL.
async fn create_helm_repository(
    cluster: &ClusterOptions,
    helm: CreateHelm,
    metadata: impl Fn(&str) -> ObjectMeta,
) -> anyhow::Result<()> {
    check_name(&helm.name)?;
    let url = helm.url.unwrap_or_default();
    if url.is_empty() {
        bail!("url is required");
    }
    let (scheme, host) = scheme_and_host(&url);
    if !matches!(scheme.as_str(), "http" | "https" | "oci") {
        bail!("url scheme '{scheme}' not supported, can be: http, https and oci");
    }
    if host.is_empty() {
        bail!("url host is required");
    }
    let oci = scheme == "oci";
    let provider = match helm.oci_provider.as_deref().filter(|_| oci) {
        None | Some("") => None,
        Some("generic") => Some(RegistryProvider::Generic),
        Some("aws") => Some(RegistryProvider::Aws),
        Some("azure") => Some(RegistryProvider::Azure),
        Some("gcp") => Some(RegistryProvider::Gcp),
        Some(other) => bail!("--oci-provider {other:?} is not one of generic, aws, azure, gcp"),
    };
    let secret_ref = helm.secret_ref.filter(|name| !name.is_empty());
    let spec = HelmRepositorySpec {
        url,
        interval: Some(go_duration(&helm.options.interval)?),
        timeout: helm.fetch_timeout.as_deref().map(go_duration).transpose()?,
        pass_credentials: (secret_ref.is_some() && helm.pass_credentials).then_some(true),
        secret_ref: secret_ref.map(|name| LocalObjectReference { name }),
        cert_secret_ref: helm.cert_secret_ref.map(|name| LocalObjectReference { name }),
        type_: oci.then_some(HelmRepositoryType::Oci),
        provider,
        ..HelmRepositorySpec::default()
    };
    let repository = HelmRepository { metadata: metadata(&helm.name), spec, status: None };
    if helm.options.export {
        return export(&repository);
    }
    say::generate("generating HelmRepository source");
    let creating = Creating { subject: "HelmRepository source", created: "source", source: true };
    let ready = upsert_and_wait(cluster, &repository, &creating, &helm.options.timeout).await?;
    if oci {
        // An OCI repository has no artifact.
        return Ok(());
    }
    fetched(ready.status.and_then(|status| status.artifact), &no_artifact("HelmRepository"))
}

/// `create source oci`, with flux's checks; `provider: generic` as flux's flag default has it.
async fn create_oci_repository(
    cluster: &ClusterOptions,
    oci: CreateOci,
    metadata: impl Fn(&str) -> ObjectMeta,
) -> anyhow::Result<()> {
    check_name(&oci.name)?;
    if oci.url.is_empty() {
        bail!("url is required");
    }
    if oci.semver.is_empty() && oci.tag.is_empty() && oci.digest.is_empty() {
        bail!("--tag, --tag-semver or --digest is required");
    }
    let layer_selector = match oci.layer_selector.as_str() {
        "" => None,
        selector => {
            let (media_type, operation) = selector
                .split_once(':')
                .filter(|(media_type, operation)| !media_type.is_empty() && !operation.is_empty())
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "invalid --layer-selector {selector:?}: must be in the format '<media-type>:<operation>'"
                    )
                })?;
            let operation = match operation {
                "extract" => OCILayerOperation::Extract,
                "copy" => OCILayerOperation::Copy,
                _ => bail!("invalid --layer-selector {selector:?}: operation must be \"extract\" or \"copy\""),
            };
            Some(OCILayerSelector { media_type: Some(media_type.to_owned()), operation: Some(operation) })
        }
    };
    let provider = match oci.provider.as_str() {
        "generic" => RegistryProvider::Generic,
        "aws" => RegistryProvider::Aws,
        "azure" => RegistryProvider::Azure,
        "gcp" => RegistryProvider::Gcp,
        other => bail!(
            "invalid argument {other:?} for \"--provider\" flag: source OCI provider '{other}' is not supported, must be one of: generic|aws|azure|gcp"
        ),
    };
    let set = |value: String| Some(value).filter(|value| !value.is_empty());
    let reference = |name: String| set(name).map(|name| LocalObjectReference { name });
    let verify = match oci.verify_provider.as_str() {
        "" if !oci.verify_secret_ref.is_empty() => {
            bail!("a verification provider must be specified when a secret is specified")
        }
        "" if !oci.verify_oidc_issuer.is_empty() || !oci.verify_subject.is_empty() => {
            bail!("a verification provider must be specified when OIDC issuer/subject is specified")
        }
        "" => None,
        provider => {
            let provider = match provider {
                "cosign" => VerificationProvider::Cosign,
                "notation" => VerificationProvider::Notation,
                other => bail!(
                    "invalid argument {other:?} for \"--verify-provider\" flag: source OCI verify provider '{other}' is not supported, must be one of: cosign, notation"
                ),
            };
            let identity = !oci.verify_oidc_issuer.is_empty() || !oci.verify_subject.is_empty();
            Some(OCIRepositoryVerification {
                provider,
                secret_ref: reference(oci.verify_secret_ref),
                match_oidc_identity: identity
                    .then(|| vec![OidcIdentityMatch { issuer: oci.verify_oidc_issuer, subject: oci.verify_subject }]),
                trusted_root_secret_ref: None,
            })
        }
    };
    let spec = OCIRepositorySpec {
        url: oci.url,
        reference: Some(OCIRepositoryRef {
            digest: set(oci.digest),
            semver: set(oci.semver),
            semver_filter: None,
            tag: set(oci.tag),
        }),
        layer_selector,
        verify,
        provider: Some(provider),
        secret_ref: reference(oci.secret_ref),
        service_account_name: set(oci.service_account),
        cert_secret_ref: reference(oci.cert_secret_ref),
        proxy_secret_ref: reference(oci.proxy_secret_ref),
        interval: go_duration(&oci.options.interval)?,
        timeout: oci.fetch_timeout.as_deref().map(go_duration).transpose()?,
        ignore: (!oci.ignore_paths.is_empty()).then(|| oci.ignore_paths.join("\n")),
        insecure: oci.insecure.then_some(true),
        ..OCIRepositorySpec::default()
    };
    let repository = OCIRepository { metadata: metadata(&oci.name), spec, status: None };
    if oci.options.export {
        return export(&repository);
    }
    let creating = Creating { subject: "OCIRepository", created: "OCIRepository", source: true };
    let ready = upsert_and_wait(cluster, &repository, &creating, &oci.options.timeout).await?;
    fetched(ready.status.and_then(|status| status.artifact), "no artifact was found")
}

/// `create source bucket`: the keys (unless `--secret-ref`) go to a Secret `bucket-<name>`,
/// as flux puts them; `--export` prints the Bucket alone.
async fn create_bucket(
    cluster: &ClusterOptions,
    bucket: CreateBucket,
    metadata: impl Fn(&str) -> ObjectMeta,
) -> anyhow::Result<()> {
    check_name(&bucket.name)?;
    if bucket.bucket_name.is_empty() {
        bail!("bucket-name is required");
    }
    if bucket.endpoint.is_empty() {
        bail!("endpoint is required");
    }
    let provider = match bucket.provider.as_str() {
        "generic" => BucketProvider::Generic,
        "aws" => BucketProvider::Aws,
        "gcp" => BucketProvider::Gcp,
        "azure" => BucketProvider::Azure,
        other => bail!(
            "invalid argument {other:?} for \"--provider\" flag: source bucket provider '{other}' is not supported, must be one of: generic|aws|gcp|azure"
        ),
    };
    let set = |value: String| Some(value).filter(|value| !value.is_empty());
    let mut spec = BucketSpec {
        provider: Some(provider),
        bucket_name: bucket.bucket_name,
        endpoint: bucket.endpoint,
        insecure: bucket.insecure.then_some(true),
        region: set(bucket.region),
        interval: go_duration(&bucket.options.interval)?,
        timeout: bucket.fetch_timeout.as_deref().map(go_duration).transpose()?,
        ignore: (!bucket.ignore_paths.is_empty()).then(|| bucket.ignore_paths.join("\n")),
        secret_ref: set(bucket.secret_ref.clone()).map(|name| LocalObjectReference { name }),
        proxy_secret_ref: set(bucket.proxy_secret_ref).map(|name| LocalObjectReference { name }),
        ..BucketSpec::default()
    };
    if bucket.options.export {
        return export(&Bucket { metadata: metadata(&bucket.name), spec, status: None });
    }
    say::generate("generating Bucket source");
    if bucket.secret_ref.is_empty() && !bucket.access_key.is_empty() && !bucket.secret_key.is_empty() {
        let secret_name = format!("bucket-{}", bucket.name);
        say::action("applying secret with the bucket credentials");
        let secret = k8s_openapi::api::core::v1::Secret {
            metadata: metadata(&secret_name),
            string_data: Some(std::collections::BTreeMap::from([
                ("accesskey".to_owned(), bucket.access_key.clone()),
                ("secretkey".to_owned(), bucket.secret_key.clone()),
            ])),
            ..Default::default()
        };
        let secrets: Api<k8s_openapi::api::core::v1::Secret> =
            Api::namespaced(cluster.client().await?, cluster.namespace());
        secrets
            .patch(&secret_name, &PatchParams::apply(FIELD_MANAGER).force(), &Patch::Apply(&secret))
            .await
            .map_err(api_error)?;
        spec.secret_ref = Some(LocalObjectReference { name: secret_name });
        say::success("authentication configured");
    }
    let object = Bucket { metadata: metadata(&bucket.name), spec, status: None };
    let creating = Creating { subject: "Bucket source", created: "Bucket source", source: true };
    let ready = upsert_and_wait(cluster, &object, &creating, &bucket.options.timeout).await?;
    // flux says it so, without "completed".
    fetched(ready.status.and_then(|status| status.artifact), "Bucket source reconciliation but no artifact was found")
}

/// `create helmrelease`, with flux's checks and defaults (`reconcileStrategy: ChartVersion`,
/// the storage namespace following the target namespace).
async fn create_helm_release(
    cluster: &ClusterOptions,
    hr: CreateHelmRelease,
    metadata: impl Fn(&str) -> ObjectMeta,
) -> anyhow::Result<()> {
    // As flux, a bad --source is refused first, when the flags are read.
    let source = match hr.source.as_deref() {
        Some(text) => Some(chart_source(text)?),
        None => None,
    };
    check_name(&hr.name)?;
    let storage_namespace = hr.storage_namespace.or_else(|| hr.target_namespace.clone());
    let chart = hr.chart.filter(|chart| !chart.is_empty());
    let chart_ref = hr.chart_ref.filter(|chart_ref| !chart_ref.is_empty());
    if chart.is_none() && chart_ref.is_none() {
        bail!("chart or chart-ref is required");
    }
    if chart.is_some() && chart_ref.is_some() {
        bail!("cannot use --chart in combination with --chart-ref");
    }
    if !hr.options.export {
        say::generate("generating HelmRelease");
    }
    let reconcile_strategy = match hr.reconcile_strategy.as_str() {
        "ChartVersion" => ReconcileStrategy::ChartVersion,
        "Revision" => ReconcileStrategy::Revision,
        other => bail!("'{other}' is an invalid reconcile strategy(valid: Revision, ChartVersion)"),
    };
    let mut spec = HelmReleaseSpec {
        release_name: hr.release_name.filter(|name| !name.is_empty()),
        interval: go_duration(&hr.options.interval)?,
        target_namespace: hr.target_namespace.filter(|namespace| !namespace.is_empty()),
        storage_namespace: storage_namespace.filter(|namespace| !namespace.is_empty()),
        depends_on: depends_on(&hr.depends_on),
        ..HelmReleaseSpec::default()
    };
    if let Some(chart) = chart {
        let Some((kind, name, namespace)) = source else { bail!("source is required") };
        spec.chart = Some(HelmChartTemplate {
            metadata: None,
            spec: HelmChartTemplateSpec {
                chart,
                version: hr.chart_version.filter(|version| !version.is_empty()),
                source_ref: CrossNamespaceObjectReference { api_version: None, kind, name, namespace },
                interval: hr
                    .chart_interval
                    .as_deref()
                    .map(go_duration)
                    .transpose()?
                    .filter(|interval| interval != "0s"),
                reconcile_strategy: Some(reconcile_strategy),
                ..HelmChartTemplateSpec::default()
            },
        });
    } else if let Some(chart_ref) = chart_ref {
        let (kind, name, namespace) = kind_name_namespace(&chart_ref);
        let kind = match kind.unwrap_or_default() {
            "OCIRepository" => ChartRefKind::OCIRepository,
            "HelmChart" => ChartRefKind::HelmChart,
            other => bail!("chart reference kind '{other}' is not supported, must be one of: OCIRepository, HelmChart"),
        };
        spec.chart_ref = Some(CrossNamespaceSourceReference { api_version: None, kind, name, namespace });
    }
    if let Some(secret) = hr.kubeconfig_secret_ref.filter(|name| !name.is_empty()) {
        spec.kube_config = Some(weir_api::kustomize::KubeConfigReference {
            secret_ref: Some(SecretKeyReference { name: secret, key: None }),
        });
    }
    if hr.create_target_namespace {
        spec.install.get_or_insert_default().create_namespace = Some(true);
    }
    spec.service_account_name = hr.service_account.filter(|name| !name.is_empty());
    if let Some(crds) = hr.crds.as_deref() {
        let policy = match crds {
            "Skip" => CrdsPolicy::Skip,
            "Create" => CrdsPolicy::Create,
            "CreateReplace" => CrdsPolicy::CreateReplace,
            "" => bail!("no upgrade CRDs policy given, must be one of: Skip, Create, CreateReplace"),
            other => bail!("unsupported upgrade CRDs policy '{other}', must be one of: Skip, Create, CreateReplace"),
        };
        spec.install.get_or_insert_default().crds = Some(CrdsPolicy::Create);
        spec.upgrade = Some(Upgrade { crds: Some(policy), ..Upgrade::default() });
    }
    if !hr.values.is_empty() {
        spec.values = Some(values::merge_files(&hr.values)?);
    }
    if !hr.values_from.is_empty() {
        let mut references = Vec::new();
        for entry in &hr.values_from {
            let Some((kind, name)) = entry.split_once('/').filter(|_| entry.matches('/').count() == 1) else {
                bail!("invalid Kubernetes object reference '{entry}', must be in format <kind>/<name>");
            };
            let kind = match one_of(&["Secret", "ConfigMap"], kind) {
                Some("Secret") => ValuesKind::Secret,
                Some(_) => ValuesKind::ConfigMap,
                None => bail!("reference kind '{kind}' is not supported, must be one of: Secret, ConfigMap"),
            };
            references.push(ValuesReference { kind, name: name.to_owned(), ..ValuesReference::default() });
        }
        spec.values_from = Some(references);
    }
    let release = HelmRelease { metadata: metadata(&hr.name), spec, status: None };
    if hr.options.export {
        return export(&release);
    }
    let creating = Creating { subject: "HelmRelease", created: "HelmRelease", source: false };
    let ready = upsert_and_wait(cluster, &release, &creating, &hr.options.timeout).await?;
    say::success(ready.success_message());
    Ok(())
}

/// `--source` of `create helmrelease`: `Kind/NAME[.NAMESPACE]`, the kind in any case.
fn chart_source(text: &str) -> anyhow::Result<(HelmChartSourceKind, String, Option<String>)> {
    let invalid = |why: String| anyhow::anyhow!("invalid argument {text:?} for \"--source\" flag: {why}");
    if text.trim().is_empty() {
        return Err(invalid(
            "no helm chart source given, please specify source that contains the chart in the format \
             '<kind>/<name>.<namespace>', where kind must be one of: (HelmRepository, GitRepository, Bucket)"
                .into(),
        ));
    }
    let (kind, name, namespace) = kind_name_namespace(text);
    let kind = kind.unwrap_or_default();
    if kind.is_empty() || name.is_empty() {
        return Err(invalid(format!("invalid helm chart source '{text}', must be in format <kind>/<name>")));
    }
    let kind = match one_of(&["HelmRepository", "GitRepository", "Bucket"], kind) {
        Some("HelmRepository") => HelmChartSourceKind::HelmRepository,
        Some("GitRepository") => HelmChartSourceKind::GitRepository,
        Some(_) => HelmChartSourceKind::Bucket,
        None => {
            return Err(invalid(format!(
                "source kind '{kind}' is not supported, must be one of: HelmRepository, GitRepository, Bucket"
            )));
        }
    };
    Ok((kind, name, namespace))
}

#[derive(clap::Subcommand)]
pub enum GetCommand {
    /// Sources.
    #[command(subcommand, alias = "source")]
    Sources(GetSources),
    /// Kustomizations.
    #[command(alias = "ks", alias = "kustomization")]
    Kustomizations(GetWithSource),
    /// HelmReleases.
    #[command(alias = "hr", alias = "helmrelease")]
    Helmreleases(GetWithSource),
}

#[derive(clap::Subcommand)]
pub enum GetSources {
    /// GitRepositories.
    Git(GetArgs),
    /// HelmRepositories.
    Helm(GetArgs),
    /// HelmCharts.
    Chart(GetArgs),
    /// OCIRepositories.
    Oci(GetArgs),
    /// Buckets.
    Bucket(GetArgs),
}

#[derive(clap::Args)]
pub struct GetArgs {
    /// Only this object.
    name: Option<String>,
    /// In every namespace.
    #[arg(short = 'A', long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    all_namespaces: bool,
    /// No header line.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    no_header: bool,
}

#[derive(clap::Args)]
pub struct GetWithSource {
    #[command(flatten)]
    args: GetArgs,
    /// A SOURCE column: `Kind/namespace/name`.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    show_source: bool,
}

impl GetCommand {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let table = match self {
            GetCommand::Sources(GetSources::Git(args)) => list::<GitRepository>(cluster, &args, false).await?,
            GetCommand::Sources(GetSources::Helm(args)) => list::<HelmRepository>(cluster, &args, false).await?,
            GetCommand::Sources(GetSources::Chart(args)) => list::<HelmChart>(cluster, &args, false).await?,
            GetCommand::Sources(GetSources::Oci(args)) => list::<OCIRepository>(cluster, &args, false).await?,
            GetCommand::Sources(GetSources::Bucket(args)) => list::<Bucket>(cluster, &args, false).await?,
            GetCommand::Kustomizations(get) => list::<Kustomization>(cluster, &get.args, get.show_source).await?,
            GetCommand::Helmreleases(get) => list::<HelmRelease>(cluster, &get.args, get.show_source).await?,
        };
        print!("{table}");
        Ok(())
    }
}

/// `get`'s table of `K`: NAME, REVISION, SUSPENDED, READY, MESSAGE (NAMESPACE first with `-A`,
/// SOURCE after NAME with `--show-source`), or flux's error when there is nothing to show.
async fn list<K: FluxKind>(cluster: &ClusterOptions, args: &GetArgs, show_source: bool) -> anyhow::Result<String> {
    let client = cluster.client().await?;
    let api: Api<K> = if args.all_namespaces { Api::all(client) } else { Api::namespaced(client, cluster.namespace()) };
    let mut objects = api.list(&ListParams::default()).await.map_err(api_error)?.items;
    if let Some(name) = &args.name {
        objects.retain(|object| object.name_any() == *name);
    }
    if objects.is_empty() {
        let namespace = if args.all_namespaces { "any".to_owned() } else { format!("{:?}", cluster.namespace()) };
        match &args.name {
            Some(name) => bail!("{} object '{name}' not found in {namespace} namespace", K::KIND),
            None => bail!("no {} objects found in {namespace} namespace", K::KIND),
        }
    }
    let mut header = vec!["Name"];
    if show_source {
        header.push("Source");
    }
    header.extend(["Revision", "Suspended", "Ready", "Message"]);
    if args.all_namespaces {
        header.insert(0, "Namespace");
    }
    let rows: Vec<Vec<String>> = objects
        .iter()
        .map(|object| {
            let mut row = Vec::new();
            if args.all_namespaces {
                row.push(object.namespace().unwrap_or_default());
            }
            row.push(object.name_any());
            if show_source {
                row.push(object.source_column().unwrap_or_default());
            }
            let (ready, message) = object.ready_column();
            let suspended = if object.suspended() { "True" } else { "False" };
            row.extend([object.revision(), suspended.to_owned(), ready, message]);
            row
        })
        .collect();
    Ok(table::render(if args.no_header { &[] } else { &header }, &rows))
}

/// `suspend`: flux's `--all` for every object of the kind in the namespace.
#[derive(clap::Args)]
pub struct SuspendCommand {
    #[command(subcommand)]
    target: SuspendTarget,
    /// Every object of the kind in the namespace.
    #[arg(long, global = true, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    all: bool,
}

/// `resume`: as `suspend`, and it waits for the object to be reconciled (for one object unless
/// `--wait` says otherwise).
#[derive(clap::Args)]
pub struct ResumeCommand {
    #[command(subcommand)]
    target: SuspendTarget,
    /// Every object of the kind in the namespace.
    #[arg(long, global = true, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    all: bool,
    /// Wait for the resumed objects to be reconciled (default: when one is named).
    #[arg(long, global = true, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = go_bool)]
    wait: Option<bool>,
    /// How long to wait.
    #[arg(long, global = true, default_value = "5m")]
    timeout: String,
}

#[derive(clap::Subcommand)]
pub enum SuspendTarget {
    /// Kustomizations.
    #[command(alias = "ks")]
    Kustomization(Names),
    /// HelmReleases.
    #[command(alias = "hr")]
    Helmrelease(Names),
    /// Sources.
    #[command(subcommand)]
    Source(SuspendSource),
}

#[derive(clap::Subcommand)]
pub enum SuspendSource {
    /// GitRepositories.
    Git(Names),
    /// HelmRepositories.
    Helm(Names),
    /// HelmCharts.
    Chart(Names),
    /// OCIRepositories.
    Oci(Names),
    /// Buckets.
    Bucket(Names),
}

#[derive(clap::Args)]
pub struct Names {
    names: Vec<String>,
}

impl SuspendCommand {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let all = self.all;
        match self.target {
            SuspendTarget::Kustomization(names) => suspend::<Kustomization>(cluster, &names.names, all).await,
            SuspendTarget::Helmrelease(names) => suspend::<HelmRelease>(cluster, &names.names, all).await,
            SuspendTarget::Source(SuspendSource::Git(names)) => {
                suspend::<GitRepository>(cluster, &names.names, all).await
            }
            SuspendTarget::Source(SuspendSource::Helm(names)) => {
                suspend::<HelmRepository>(cluster, &names.names, all).await
            }
            SuspendTarget::Source(SuspendSource::Chart(names)) => {
                suspend::<HelmChart>(cluster, &names.names, all).await
            }
            SuspendTarget::Source(SuspendSource::Oci(names)) => {
                suspend::<OCIRepository>(cluster, &names.names, all).await
            }
            SuspendTarget::Source(SuspendSource::Bucket(names)) => suspend::<Bucket>(cluster, &names.names, all).await,
        }
    }
}

impl ResumeCommand {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let timeout = parse_timeout(&self.timeout)?;
        let (all, wait) = (self.all, self.wait);
        let resume = Resume { all, wait, timeout };
        match self.target {
            SuspendTarget::Kustomization(names) => resume.run::<Kustomization>(cluster, &names.names).await,
            SuspendTarget::Helmrelease(names) => resume.run::<HelmRelease>(cluster, &names.names).await,
            SuspendTarget::Source(SuspendSource::Git(names)) => {
                resume.run::<GitRepository>(cluster, &names.names).await
            }
            SuspendTarget::Source(SuspendSource::Helm(names)) => {
                resume.run::<HelmRepository>(cluster, &names.names).await
            }
            SuspendTarget::Source(SuspendSource::Chart(names)) => resume.run::<HelmChart>(cluster, &names.names).await,
            SuspendTarget::Source(SuspendSource::Oci(names)) => {
                resume.run::<OCIRepository>(cluster, &names.names).await
            }
            SuspendTarget::Source(SuspendSource::Bucket(names)) => resume.run::<Bucket>(cluster, &names.names).await,
        }
    }
}

/// The named objects (each once), or with `--all` and no names every one in the namespace;
/// `Err(name)` for a name that is not there.
async fn targets<K: FluxKind>(api: &Api<K>, names: &[String], all: bool) -> anyhow::Result<Vec<Result<K, String>>> {
    if names.is_empty() {
        if !all {
            bail!("{} name is required", K::HUMAN_KIND);
        }
        return Ok(api.list(&ListParams::default()).await.map_err(api_error)?.items.into_iter().map(Ok).collect());
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    for name in names {
        if seen.insert(name) {
            found.push(api.get_opt(name).await.map_err(api_error)?.ok_or_else(|| name.clone()));
        }
    }
    Ok(found)
}

/// Sets `spec.suspend`, saying so for each object as flux does; a name that is not there is
/// reported and skipped, as flux skips it.
async fn suspend<K: FluxKind>(cluster: &ClusterOptions, names: &[String], all: bool) -> anyhow::Result<()> {
    let namespace = cluster.namespace();
    let api: Api<K> = Api::namespaced(cluster.client().await?, namespace);
    let targets = targets(&api, names, all).await?;
    if targets.is_empty() {
        bail!("no objects found");
    }
    let human = K::HUMAN_KIND;
    for target in targets {
        let object = match target {
            Ok(object) => object,
            Err(name) => {
                say::failure(format!("{} {name} not found in {namespace} namespace", K::KIND));
                continue;
            }
        };
        let name = object.name_any();
        say::action(format!("suspending {human} {name} in {namespace} namespace"));
        let patch = json!({ "spec": { "suspend": true } });
        match api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch)).await {
            Ok(_) => say::success(format!("{human} suspended")),
            Err(error) => say::failure(format!(
                "failed suspending {} {name} in {namespace} namespace: {}",
                K::KIND,
                api_error(error)
            )),
        }
    }
    Ok(())
}

struct Resume {
    all: bool,
    wait: Option<bool>,
    timeout: Duration,
}

impl Resume {
    /// Unsets `spec.suspend` (as flux's merge patch removes it), then waits for the objects to be
    /// ready and reports each, sorted by name, as flux does.
    async fn run<K: FluxKind>(&self, cluster: &ClusterOptions, names: &[String]) -> anyhow::Result<()> {
        let namespace = cluster.namespace();
        let api: Api<K> = Api::namespaced(cluster.client().await?, namespace);
        let targets = targets(&api, names, self.all).await?;
        if targets.is_empty() && names.is_empty() {
            say::failure(format!("no {} objects found in {namespace} namespace", K::KIND));
        }
        let human = K::HUMAN_KIND;
        let mut resumed = Vec::new();
        for target in targets {
            let object = match target {
                Ok(object) => object,
                Err(name) => {
                    say::failure(format!("{} object '{name}' not found in {namespace} namespace", K::KIND));
                    continue;
                }
            };
            let name = object.name_any();
            say::action(format!("resuming {human} {name} in {namespace} namespace"));
            let patch = json!({ "spec": { "suspend": null } });
            api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch)).await.map_err(api_error)?;
            say::success(format!("{human} resumed"));
            resumed.push(name);
        }
        if !self.wait.unwrap_or(names.len() == 1) {
            return Ok(());
        }
        let waits = resumed.iter().map(|name| {
            say::waiting(format!("waiting for {} reconciliation", K::KIND));
            let api = api.clone();
            async move { (name, wait_ready(&api, name, self.timeout).await) }
        });
        let mut outcomes = futures::future::join_all(waits).await;
        outcomes.sort_by(|a, b| a.0.cmp(b.0));
        let mut failed = 0;
        for (name, outcome) in outcomes {
            match outcome {
                Ok(object) => {
                    say::success(format!("{} {name} reconciliation completed", K::KIND));
                    say::success(object.success_message());
                }
                Err(error) => {
                    failed += 1;
                    say::failure(format!("{} {name} reconciliation failed: {error:#}", K::KIND));
                }
            }
        }
        if failed > 0 {
            bail!("reconciliation failed for {failed} {}(s)", K::KIND);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_prints_them() {
        for (given, printed) in [
            ("1m", "1m0s"),
            ("90s", "1m30s"),
            ("1h", "1h0m0s"),
            ("10m0s", "10m0s"),
            ("500ms", "500ms"),
            ("1500ms", "1.5s"),
            ("2h30m", "2h30m0s"),
        ] {
            assert_eq!(go_duration(given).unwrap(), printed, "{given}");
        }
        assert!(go_duration("soon").is_err());
        assert!(go_duration("5").is_err());
    }

    #[test]
    fn hex_is_truncated_as_flux_truncates_it() {
        let sha = "696f056df216eea4f9401adbee0ff744d4df390f";
        assert_eq!(truncate_hex(&format!("Fetched revision: main@sha1:{sha}")), "Fetched revision: main@sha1:696f056d");
        let sha256 = "a".repeat(64);
        assert_eq!(truncate_hex(&format!("sha256:{sha256}")), "sha256:aaaaaaaa");
        // Not a word of its own, too short or too long: kept.
        for kept in [format!("x{sha}"), sha[..39].to_owned(), "b".repeat(129), "6.3.5".to_owned()] {
            assert_eq!(truncate_hex(&kept), kept);
        }
    }

    #[test]
    fn references_parse_as_flux_parses_them() {
        assert_eq!(kind_name_namespace("HelmRepository/podinfo"), (Some("HelmRepository"), "podinfo".into(), None));
        assert_eq!(
            kind_name_namespace("HelmChart/my.chart.flux-system"),
            (Some("HelmChart"), "my.chart".into(), Some("flux-system".into()))
        );
        assert_eq!(kind_name_namespace("podinfo"), (None, "podinfo".into(), None));
        let references = depends_on(&["infra".into(), "apps/backend".into()]).unwrap();
        assert_eq!(references[0], NamespacedObjectReference { name: "infra".into(), namespace: None });
        assert_eq!(references[1], NamespacedObjectReference { name: "backend".into(), namespace: Some("apps".into()) });
        assert_eq!(depends_on(&[]), None);
        assert_eq!(scheme_and_host("oci://ghcr.io/stefanprodan/charts"), ("oci".into(), "ghcr.io".into()));
        assert_eq!(
            scheme_and_host("HTTPS://user:pw@charts.example.com:8443/x"),
            ("https".into(), "charts.example.com:8443".into())
        );
        assert_eq!(scheme_and_host("git://example.com/charts").0, "git");
        assert_eq!(scheme_and_host("https:charts"), ("https".into(), String::new()));
        assert_eq!(scheme_and_host("charts.example.com"), (String::new(), String::new()));
        assert!(check_name("podinfo").is_ok());
        for bad in ["a", "Podinfo", "pod_info", "-podinfo"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn go_booleans() {
        assert_eq!(go_bool("True"), Ok(true));
        assert_eq!(go_bool("0"), Ok(false));
        assert!(go_bool("yes").is_err());
    }
}

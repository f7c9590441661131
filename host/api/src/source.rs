//! `source.toolkit.fluxcd.io/v1`: sources, each fetched into an artifact.
//!
//! - [`GitRepository`]: a Git repository, and the artifact of its last fetched revision.
//! - [`HelmRepository`]: a Helm chart repository (an `index.yaml` over HTTP(S), or an OCI registry).
//! - [`HelmChart`]: one chart from a HelmRepository, GitRepository or Bucket, packaged as an artifact.
//! - [`Bucket`]: an object storage bucket (S3 API), and the artifact of its last fetched objects.
//! - [`OCIRepository`]: an OCI artifact in a container registry, and its last pulled layer.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::{self, Artifact, LocalObjectReference};

mod bucket;
mod helm;
mod oci;
pub use bucket::*;
pub use helm::*;
pub use oci::*;

/// Where and how to fetch a Git repository.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "source.toolkit.fluxcd.io",
    version = "v1",
    kind = "GitRepository",
    doc = "A Git repository Flux fetches, and the artifact of its last revision.",
    namespaced,
    status = "GitRepositoryStatus",
    shortname = "gitrepo",
    category = "fluxcd",
    printcolumn = r#"{"name":"URL","type":"string","jsonPath":".spec.url"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct GitRepositorySpec {
    /// The repository URL: `http(s)://` or `ssh://` as in Flux, and also `git://` and `file://`.
    #[schemars(schema_with = "url_schema")]
    pub url: String,
    /// A Secret with credentials: `username`/`password` or `bearerToken` for
    /// HTTP(S), `identity`/`known_hosts` for SSH, `ca.crt` for a custom CA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// The OIDC provider used for authentication (generic when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<GitProvider>,
    /// How often to check the repository for new revisions.
    #[schemars(schema_with = "meta::duration")]
    pub interval: String,
    /// Timeout for Git operations (default 60s).
    #[serde(default = "default_timeout", skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub timeout: Option<String>,
    /// Which revision to fetch; the default branch when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "ref")]
    pub reference: Option<GitRepositoryRef>,
    /// Verification of the commit or tag signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<GitRepositoryVerification>,
    /// A Secret with the proxy's `address`, `username`, `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,
    /// Files to leave out of the artifact, in .gitignore syntax, instead of Flux's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<String>,
    /// Stop reconciling this source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Fetch submodules too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurse_submodules: Option<bool>,
    /// Other GitRepositories whose artifacts are included in this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<GitRepositoryInclude>>,
    /// Only these directories are checked out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sparse_checkout: Option<Vec<String>>,
}

fn default_timeout() -> Option<String> {
    Some("60s".into())
}

fn url_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "pattern": "^(http|https|ssh|git|file)://.*$" })
}

/// The OIDC provider for Git authentication.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GitProvider {
    Generic,
    Azure,
    Github,
}

/// The revision to check out; the most specific one set wins (commit, name, semver, tag, branch).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GitRepositoryRef {
    /// A branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// A tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// A semver range: the highest matching tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
    /// A reference name, e.g. `refs/pull/420/head`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A commit SHA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// Signature verification of the fetched revision.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitRepositoryVerification {
    /// What to verify: `HEAD`, `Tag` or `TagAndHEAD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<GitVerificationMode>,
    /// A Secret holding the trusted public keys.
    pub secret_ref: LocalObjectReference,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum GitVerificationMode {
    #[serde(rename = "HEAD")]
    Head,
    Tag,
    #[serde(rename = "TagAndHEAD")]
    TagAndHead,
}

/// Another GitRepository's artifact, copied into this one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitRepositoryInclude {
    /// The GitRepository to include, in the same namespace.
    pub repository: LocalObjectReference,
    /// The directory of it to copy (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_path: Option<String>,
    /// Where to copy it (default: the repository's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_path: Option<String>,
}

/// What the source controller observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitRepositoryStatus {
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`, `Reconciling`, `Stalled`, `ArtifactInStorage`, `FetchFailed`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// The artifact of the last successful reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// The artifacts of `spec.include`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included_artifacts: Option<Vec<Artifact>>,
    /// The `spec.ignore` the artifact was built with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_ignore: Option<String>,
    /// The `spec.recurseSubmodules` the artifact was built with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_recurse_submodules: Option<bool>,
    /// The `spec.include` the artifact was built with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_include: Option<Vec<GitRepositoryInclude>>,
    /// The `spec.sparseCheckout` the artifact was built with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_sparse_checkout: Option<Vec<String>>,
    /// The verification mode of the last verified revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_verification_mode: Option<GitVerificationMode>,
    /// The value of the `reconcile.fluxcd.io/requestedAt` annotation last handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::status::object_status!(GitRepositoryStatus, |status| status
    .artifact
    .as_ref()
    .map(|artifact| artifact.revision.as_str()));
crate::status::artifact_source!(GitRepository, OCIRepository, HelmChart, Bucket);

impl crate::status::Reconcilable for GitRepository {
    type Status = GitRepositoryStatus;
    const KIND: &'static str = "GitRepository";
    fn status(&self) -> Option<&GitRepositoryStatus> {
        self.status.as_ref()
    }
    fn suspended(&self) -> bool {
        self.spec.suspend == Some(true)
    }
    fn interval(&self) -> &str {
        &self.spec.interval
    }
}

//! `source.toolkit.fluxcd.io/v1` Bucket: an object storage bucket (S3 API), and the artifact of
//! the objects last fetched from it.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::{self, Artifact, LocalObjectReference};

/// Where a bucket is and how to reach it.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "source.toolkit.fluxcd.io",
    version = "v1",
    kind = "Bucket",
    doc = "An object storage bucket Flux fetches, and the artifact of its last fetched objects.",
    namespaced,
    status = "BucketStatus",
    category = "fluxcd",
    printcolumn = r#"{"name":"Endpoint","type":"string","jsonPath":".spec.endpoint"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "self.provider == 'aws' || self.provider == 'generic' || !has(self.sts)",
        "message": "STS configuration is only supported for the 'aws' and 'generic' Bucket providers"
    },
    {
        "rule": "self.provider != 'aws' || !has(self.sts) || self.sts.provider == 'aws'",
        "message": "'aws' is the only supported STS provider for the 'aws' Bucket provider"
    },
    {
        "rule": "self.provider != 'generic' || !has(self.sts) || self.sts.provider == 'ldap'",
        "message": "'ldap' is the only supported STS provider for the 'generic' Bucket provider"
    },
    {
        "rule": "!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.secretRef)",
        "message": "spec.sts.secretRef is not required for the 'aws' STS provider"
    },
    {
        "rule": "!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.certSecretRef)",
        "message": "spec.sts.certSecretRef is not required for the 'aws' STS provider"
    },
    {
        "rule": "self.provider != 'generic' || !has(self.serviceAccountName)",
        "message": "ServiceAccountName is not supported for the 'generic' Bucket provider"
    },
    {
        "rule": "!has(self.secretRef) || !has(self.serviceAccountName)",
        "message": "cannot set both .spec.secretRef and .spec.serviceAccountName"
    }
]))]
pub struct BucketSpec {
    /// Who serves the bucket: `generic` (any S3 API, the default), `aws`, `gcp` or `azure`.
    /// weir fetches with static keys over the S3 API only, so only `generic` works here.
    #[serde(default = "default_provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<BucketProvider>,
    /// The bucket's name.
    pub bucket_name: String,
    /// The object storage's address, `host[:port]`, without a scheme.
    pub endpoint: String,
    /// A Security Token Service for temporary credentials (`aws` and `generic` providers in
    /// Flux); accepted, not served by weir.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts: Option<BucketStsSpec>,
    /// Plain HTTP to the endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// The endpoint's region, which the requests are signed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Only the objects whose keys start with this are fetched (server-side filtering).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// A Secret with the static keys: `accesskey` and `secretkey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// A ServiceAccount whose workload identity signs in (`aws` and `gcp` providers in Flux).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// A Secret with `tls.crt`/`tls.key` and/or `ca.crt` for the endpoint's TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
    /// A Secret with the proxy's `address`, `username`, `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,
    /// How often to check the bucket for changes.
    #[schemars(schema_with = "meta::duration")]
    pub interval: String,
    /// Timeout for the fetch operations (default 60s).
    #[serde(default = "default_timeout", skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "timeout_schema")]
    pub timeout: Option<String>,
    /// Objects to leave out of the artifact, in .gitignore syntax, on top of the bucket's own
    /// `.sourceignore`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<String>,
    /// Stop reconciling this source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

fn default_provider() -> Option<BucketProvider> {
    Some(BucketProvider::Generic)
}

fn default_timeout() -> Option<String> {
    Some("60s".into())
}

/// Flux allows no hours here, unlike other durations.
fn timeout_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$" })
}

fn sts_endpoint_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "pattern": "^(http|https)://.*$" })
}

/// Who serves a bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BucketProvider {
    /// Any S3 API compatible storage.
    Generic,
    Aws,
    Gcp,
    Azure,
}

impl BucketProvider {
    /// As the spec spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            BucketProvider::Generic => "generic",
            BucketProvider::Aws => "aws",
            BucketProvider::Gcp => "gcp",
            BucketProvider::Azure => "azure",
        }
    }
}

/// A Security Token Service that hands out temporary credentials.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketStsSpec {
    /// `aws` or `ldap`.
    pub provider: BucketStsProvider,
    /// The service's HTTP(S) address.
    #[schemars(schema_with = "sts_endpoint_schema")]
    pub endpoint: String,
    /// A Secret with `username` and `password` (`ldap` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// A Secret with `tls.crt`/`tls.key` and/or `ca.crt` for the service's TLS (`ldap` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
}

/// The kinds of Security Token Service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BucketStsProvider {
    #[default]
    Aws,
    Ldap,
}

/// What the source controller observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketStatus {
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`, `Reconciling`, `Stalled`, `ArtifactInStorage`, `FetchFailed`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// Where the latest artifact can be downloaded; `artifact` is the precise record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The artifact of the last successful reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// The `spec.ignore` the artifact was built with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_ignore: Option<String>,
    /// The value of the `reconcile.fluxcd.io/requestedAt` annotation last handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::status::object_status!(BucketStatus, |status| status
    .artifact
    .as_ref()
    .map(|artifact| artifact.revision.as_str()));

impl crate::status::Reconcilable for Bucket {
    type Status = BucketStatus;
    const KIND: &'static str = "Bucket";
    fn status(&self) -> Option<&BucketStatus> {
        self.status.as_ref()
    }
    fn suspended(&self) -> bool {
        self.spec.suspend == Some(true)
    }
    fn interval(&self) -> &str {
        &self.spec.interval
    }
}

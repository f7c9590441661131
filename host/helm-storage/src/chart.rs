//! The chart a release was made from, as the release record carries it
//! (Helm's `pkg/chart` v3, `pkg/chart/v2` in Helm 4): Chart.yaml, the
//! templates and other files, the default values, the schema and Chart.lock.
//! Subcharts are not part of the record; Helm drops them when it stores one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::go::{self, nullable};
use crate::time::{self, Timestamp};

/// `Chart`: every field is written, nil ones as `null`, except Helm 4's
/// zero `modtime`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Chart.yaml.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Chart.lock.
    #[serde(default)]
    pub lock: Option<Lock>,
    #[serde(default, with = "go::nil_slice")]
    pub templates: Vec<File>,
    /// values.yaml; `None` when the chart has none (or it is empty), which Go writes as `null`.
    #[serde(default)]
    pub values: Option<Map<String, Value>>,
    /// values.schema.json.
    #[serde(default, with = "go::bytes::optional")]
    pub schema: Option<Vec<u8>>,
    /// Helm 4: when the schema was last modified, written even when zero;
    /// `None` leaves it out, as Helm 3 does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schemamodtime: Option<Timestamp>,
    /// Every other file of the chart (README, LICENSE, crds/, …).
    #[serde(default, with = "go::nil_slice")]
    pub files: Vec<File>,
    /// Helm 4: when the chart's metadata was last modified.
    #[serde(default, skip_serializing_if = "time::omit_zero")]
    pub modtime: Option<Timestamp>,
}

/// A file of the chart: its chart-relative name and its bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, with = "go::bytes")]
    pub data: Vec<u8>,
    /// Helm 4: the file's modification time.
    #[serde(default, skip_serializing_if = "time::omit_zero")]
    pub modtime: Option<Timestamp>,
}

/// Chart.yaml (`Metadata`), every field `omitempty`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub home: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub maintainers: Vec<Maintainer>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub icon: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub condition: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tags: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub app_version: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "go::is_zero")]
    pub deprecated: bool,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub kube_version: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// `application` or `library`.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty", rename = "type")]
    pub type_: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Maintainer {
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub url: String,
}

/// A dependency in Chart.yaml or Chart.lock; `name` and `repository` are
/// always written.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default, deserialize_with = "nullable")]
    pub repository: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub condition: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "go::is_zero")]
    pub enabled: bool,
    /// Strings or `{child, parent}` maps.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty", rename = "import-values")]
    pub import_values: Vec<Value>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub alias: String,
}

/// Chart.lock; every field is written.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Lock {
    #[serde(default, deserialize_with = "nullable")]
    pub generated: Timestamp,
    #[serde(default, deserialize_with = "nullable")]
    pub digest: String,
    /// `None` is Go's nil (`null`); a lock file's `dependencies: []` is `Some(vec![])`.
    #[serde(default)]
    pub dependencies: Option<Vec<Dependency>>,
}

//! A Helm release record (`pkg/release` in Helm 3, `pkg/release/v1` in
//! Helm 4): field names, order and `omitempty` as Helm's Go struct tags have
//! them, with Helm 4's additions (`apply_method`, `rollback_revision`, the
//! mod-times) left out when unset so Helm 3 writes and reads the same bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::chart::Chart;
use crate::go::{self, go_string, nullable};
use crate::time::{self, Timestamp};

/// One revision of a release.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Release {
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Always written: Helm's commands read it unchecked.
    #[serde(default, deserialize_with = "nullable")]
    pub info: Info,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<Chart>,
    /// The values the user supplied, over the chart's defaults.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Map::is_empty")]
    pub config: Map<String, Value>,
    /// The rendered templates, hooks left out.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
    /// The revision, from 1.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "go::is_zero")]
    pub version: i64,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// The user's labels. Not in the JSON: Helm keeps them as labels of the
    /// Secret, next to its own (see [`crate::SYSTEM_LABELS`]).
    #[serde(skip)]
    pub labels: BTreeMap<String, String>,
    /// Helm 4: how the manifest was applied; empty means client-side.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "ApplyMethod::is_empty")]
    pub apply_method: ApplyMethod,
}

/// `Info`: when, what state, and the rendered NOTES.txt.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Info {
    /// `None` is left out (Helm 4's zero); `Some(Timestamp::ZERO)` is Helm 3's `""`.
    #[serde(default, with = "time::helm", skip_serializing_if = "Option::is_none")]
    pub first_deployed: Option<Timestamp>,
    #[serde(default, with = "time::helm", skip_serializing_if = "Option::is_none")]
    pub last_deployed: Option<Timestamp>,
    /// Helm 3 writes `""` until an uninstall with `--keep-history` sets it.
    #[serde(default, with = "time::helm", skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Timestamp>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Status::is_empty")]
    pub status: Status,
    /// Helm 4: the revision a rollback went back to; 0 when not a rollback.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "go::is_zero")]
    pub rollback_revision: i64,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Filled by `helm status --show-resources` for display; never stored by Helm.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, Vec<Value>>,
}

/// A hook: a manifest Helm applies at an event instead of with the release.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Hook {
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The Kubernetes kind.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// The template it came from, chart name first (`web/templates/tests/test.yaml`).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub path: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<HookEvent>,
    /// Always written, even when the hook never ran.
    #[serde(default, deserialize_with = "nullable")]
    pub last_run: HookExecution,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "go::is_zero")]
    pub weight: i64,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub delete_policies: Vec<HookDeletePolicy>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub output_log_policies: Vec<HookOutputLogPolicy>,
}

/// When a hook last ran and how it ended; `phase` is always written (`""`
/// before the first run).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookExecution {
    #[serde(default, with = "time::helm", skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    #[serde(default, with = "time::helm", skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "nullable")]
    pub phase: HookPhase,
}

go_string! {
    /// A release's state; the `status` label of its Secret too.
    Status {
        /// In an uncertain state.
        UNKNOWN = "unknown",
        /// Applied to the cluster; the current revision.
        DEPLOYED = "deployed",
        /// Uninstalled with its history kept.
        UNINSTALLED = "uninstalled",
        /// A later revision replaced it.
        SUPERSEDED = "superseded",
        FAILED = "failed",
        UNINSTALLING = "uninstalling",
        PENDING_INSTALL = "pending-install",
        PENDING_UPGRADE = "pending-upgrade",
        PENDING_ROLLBACK = "pending-rollback",
    }
}

impl Status {
    /// An install, upgrade or rollback is under way (Helm refuses to start another).
    pub fn is_pending(&self) -> bool {
        [Self::PENDING_INSTALL, Self::PENDING_UPGRADE, Self::PENDING_ROLLBACK].contains(self)
    }
}

go_string! {
    /// What a hook runs on (`helm.sh/hook`).
    HookEvent {
        PRE_INSTALL = "pre-install",
        POST_INSTALL = "post-install",
        PRE_DELETE = "pre-delete",
        POST_DELETE = "post-delete",
        PRE_UPGRADE = "pre-upgrade",
        POST_UPGRADE = "post-upgrade",
        PRE_ROLLBACK = "pre-rollback",
        POST_ROLLBACK = "post-rollback",
        TEST = "test",
    }
}

go_string! {
    /// When a hook's resource is deleted (`helm.sh/hook-delete-policy`);
    /// Helm stores whatever the annotation says.
    HookDeletePolicy {
        HOOK_SUCCEEDED = "hook-succeeded",
        HOOK_FAILED = "hook-failed",
        BEFORE_HOOK_CREATION = "before-hook-creation",
    }
}

go_string! {
    /// When a hook's logs are copied out (`helm.sh/hook-output-log-policy`).
    HookOutputLogPolicy {
        HOOK_SUCCEEDED = "hook-succeeded",
        HOOK_FAILED = "hook-failed",
    }
}

go_string! {
    /// How a hook's last run went; empty before it first runs.
    HookPhase {
        UNKNOWN = "Unknown",
        RUNNING = "Running",
        SUCCEEDED = "Succeeded",
        FAILED = "Failed",
    }
}

go_string! {
    /// Helm 4: how a release's manifest was applied.
    ApplyMethod {
        CLIENT_SIDE = "csa",
        SERVER_SIDE = "ssa",
    }
}

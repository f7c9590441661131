//! The `tag-policy` world: choose an image tag.

use std::ops::Deref;
use std::sync::Arc;

use super::{BoundPlugin, WitVersion, World};
use crate::capability::{Grants, Wasi};
use crate::error::{CallError, LoadError};
use crate::runtime::{Plugin, PluginRuntime};
use crate::wit::legacy_error;
use crate::wit::types::{Error, ErrorCode};

mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.0",
        world: "tag-policy",
        with: { "weir:plugin/types": crate::wit::types },
    });
}

mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.1.0",
        world: "tag-policy",
        with: { "weir:plugin/types": crate::wit::v0_1::weir::plugin::types },
    });
}

pub use v0_2::exports::weir::plugin::policy::{Candidate, Order, PolicyRequest, Selection, TagFilter};

const TAG_POLICY: World = World {
    name: "tag-policy",
    interface: "policy",
    since: "0.2.0",
    legacy_interface: Some("policy"),
    capabilities: &[&Wasi],
};

/// A tag-policy plugin.
pub struct TagPolicyPlugin(BoundPlugin);

impl TagPolicyPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        BoundPlugin::bind(
            runtime,
            plugin,
            &TAG_POLICY,
            |pre| v0_2::TagPolicyPre::new(pre).map(drop),
            |pre| v0_1::TagPolicyPre::new(pre).map(drop),
        )
        .map(Self)
    }

    /// Selects a tag for a policy of `tenant`, with no filesystem and no network.
    pub async fn select(&self, tenant: &str, request: &PolicyRequest) -> Result<Result<String, Error>, CallError> {
        match self.wit_version() {
            WitVersion::V0_2 => {
                self.0.call(tenant, Grants::default(), "select", (request,)).await.map(|(result,)| result)
            }
            WitVersion::V0_1 => {
                let (result,): (Result<String, LegacyError>,) =
                    self.0.call(tenant, Grants::default(), "select", (request,)).await?;
                Ok(result.map_err(upgrade_error))
            }
        }
    }
}

impl Deref for TagPolicyPlugin {
    type Target = BoundPlugin;

    fn deref(&self) -> &BoundPlugin {
        &self.0
    }
}

type LegacyError = v0_1::exports::weir::plugin::policy::PolicyError;

fn upgrade_error(error: LegacyError) -> Error {
    let (code, detail) = match error {
        LegacyError::InvalidPolicy(detail) | LegacyError::InvalidFilter(detail) | LegacyError::InvalidTag(detail) => {
            (ErrorCode::InvalidInput, detail)
        }
        LegacyError::NoMatch(detail) => (ErrorCode::NoMatch, detail),
    };
    legacy_error(code, detail)
}

//! The `tag-policy` world: choose an image tag.

use std::sync::Arc;

use super::BoundPlugin;
use crate::error::{CallError, LoadError};
use crate::runtime::{Grants, HostState, Plugin, PluginRuntime};

wasmtime::component::bindgen!({
    path: "../../wit/0.1.0",
    world: "tag-policy",
    exports: { default: async },
});

pub use exports::weir::plugin::policy::{Candidate, Order, PolicyError, PolicyRequest, Selection, TagFilter};

/// A tag-policy plugin.
pub type TagPolicyPlugin = BoundPlugin<TagPolicyPre<HostState>>;

impl TagPolicyPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        let linker = runtime.wasi_linker()?;
        Self::bind(runtime, plugin, "tag-policy", linker, TagPolicyPre::new)
    }

    /// Selects a tag for a policy of `tenant`, with no filesystem and no network.
    pub async fn select(
        &self,
        tenant: &str,
        request: &PolicyRequest,
    ) -> Result<Result<String, PolicyError>, CallError> {
        self.runtime
            .call(&self.plugin, tenant, Grants::default(), async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                instance.weir_plugin_policy().call_select(&mut *store, request).await
            })
            .await
    }
}

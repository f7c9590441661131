//! The `renderer` world: a source tree to manifests (kustomize build).

use std::path::Path;
use std::sync::Arc;

use super::BoundPlugin;
use crate::error::{CallError, LoadError};
use crate::runtime::{Grants, HostState, Plugin, PluginRuntime, ReadOnlyDir};

wasmtime::component::bindgen!({
    path: "../../wit/0.1.0",
    world: "renderer",
    exports: { default: async },
    with: { "weir:plugin/types": super::types },
});

pub use exports::weir::plugin::render::{
    BuildOptions, CommonMetadata, Image, LoadRestrictor, Patch, RenderError, Rendered, Reorder, ResourceSelector,
};

/// Where the source tree appears inside the sandbox.
pub const SOURCE_MOUNT: &str = "/src";

/// A renderer plugin.
pub type RendererPlugin = BoundPlugin<RendererPre<HostState>>;

impl RendererPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        let linker = runtime.wasi_linker()?;
        Self::bind(runtime, plugin, "renderer", linker, RendererPre::new)
    }

    /// Builds `options.path` of `source` (seen read-only at [`SOURCE_MOUNT`]) for `tenant`.
    pub async fn build(
        &self,
        tenant: &str,
        source: &Path,
        options: &BuildOptions,
    ) -> Result<Result<Rendered, RenderError>, CallError> {
        let grants = Grants {
            read_only_dir: Some(ReadOnlyDir { host_path: source.to_owned(), guest_path: SOURCE_MOUNT }),
            ..Grants::default()
        };
        self.runtime
            .call(&self.plugin, tenant, grants, async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                instance.weir_plugin_render().call_build(&mut *store, options).await
            })
            .await
    }
}

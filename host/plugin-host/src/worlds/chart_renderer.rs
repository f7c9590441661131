//! The `chart-renderer` world: a Helm chart to manifests (helm template).

use std::path::Path;
use std::sync::Arc;

use super::BoundPlugin;
use crate::error::{CallError, LoadError};
use crate::runtime::{Grants, HostState, Plugin, PluginRuntime, ReadOnlyDir};

wasmtime::component::bindgen!({
    path: "../../wit/0.1.0",
    world: "chart-renderer",
    exports: { default: async },
    with: { "weir:plugin/types": super::types },
});

pub use exports::weir::plugin::chart_render::{
    Capabilities, ChartError, ChartRequest, Hook, HookDeletePolicy, HookEvent, Manifest, Release, RenderedChart,
};

/// Where the chart appears inside the sandbox.
pub const CHART_MOUNT: &str = "/chart";

/// A packaged chart is handed over as this one file in the mounted directory.
pub const PACKAGED_CHART: &str = "chart.tgz";

/// A chart-renderer plugin.
pub type ChartRendererPlugin = BoundPlugin<ChartRendererPre<HostState>>;

impl ChartRendererPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        let linker = runtime.wasi_linker()?;
        Self::bind(runtime, plugin, "chart-renderer", linker, ChartRendererPre::new)
    }

    /// Renders the chart at `chart` (seen read-only at [`CHART_MOUNT`]) for `tenant`: a
    /// chart directory, or a directory holding only the packaged chart as [`PACKAGED_CHART`].
    pub async fn template(
        &self,
        tenant: &str,
        chart: &Path,
        request: &ChartRequest,
    ) -> Result<Result<RenderedChart, ChartError>, CallError> {
        let grants = Grants {
            read_only_dir: Some(ReadOnlyDir { host_path: chart.to_owned(), guest_path: CHART_MOUNT }),
            ..Grants::default()
        };
        self.runtime
            .call(&self.plugin, tenant, grants, async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                instance.weir_plugin_chart_render().call_template(&mut *store, request).await
            })
            .await
    }
}

//! The `chart-renderer` world: a Helm chart to manifests (helm template).

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use super::{BoundPlugin, WitVersion, World};
use crate::capability::{Grants, Preopen, Wasi};
use crate::error::{CallError, LoadError};
use crate::runtime::{Plugin, PluginRuntime};
use crate::wit::legacy_error;
use crate::wit::types::{Error, ErrorCode, KeyValue};

mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.0",
        world: "chart-renderer",
        with: { "weir:plugin/types": crate::wit::types },
    });
}

mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.1.0",
        world: "chart-renderer",
        with: { "weir:plugin/types": crate::wit::v0_1::weir::plugin::types },
    });
}

pub use v0_2::exports::weir::plugin::chart_render::{
    Capabilities, ChartRequest, Hook, HookDeletePolicy, HookEvent, Manifest, Release, RenderedChart,
};

/// Where the chart appears inside the sandbox.
pub const CHART_MOUNT: &str = "/chart";

/// A packaged chart is handed over as this one file in the mounted directory.
pub const PACKAGED_CHART: &str = "chart.tgz";

const CHART_RENDERER: World = World {
    name: "chart-renderer",
    interface: "chart-render",
    since: "0.2.0",
    legacy_interface: Some("chart-render"),
    capabilities: &[&Wasi],
};

/// A chart-renderer plugin.
pub struct ChartRendererPlugin(BoundPlugin);

impl ChartRendererPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        BoundPlugin::bind(
            runtime,
            plugin,
            &CHART_RENDERER,
            |pre| v0_2::ChartRendererPre::new(pre).map(drop),
            |pre| v0_1::ChartRendererPre::new(pre).map(drop),
        )
        .map(Self)
    }

    /// Renders the chart at `chart` (seen read-only at [`CHART_MOUNT`]) for `tenant`: a
    /// chart directory, or a directory holding only the packaged chart as [`PACKAGED_CHART`].
    pub async fn template(
        &self,
        tenant: &str,
        chart: &Path,
        request: &ChartRequest,
    ) -> Result<Result<RenderedChart, Error>, CallError> {
        let grants = Grants {
            preopens: vec![Preopen { host_path: chart.to_owned(), guest_path: CHART_MOUNT }],
            ..Grants::default()
        };
        match self.wit_version() {
            WitVersion::V0_2 => self.0.call(tenant, grants, "template", (request,)).await.map(|(result,)| result),
            WitVersion::V0_1 => {
                // 0.1's rendered chart has 0.2's shape, so it lifts as one.
                let (result,): (Result<RenderedChart, LegacyError>,) =
                    self.0.call(tenant, grants, "template", (request,)).await?;
                Ok(result.map_err(upgrade_error))
            }
        }
    }
}

impl Deref for ChartRendererPlugin {
    type Target = BoundPlugin;

    fn deref(&self) -> &BoundPlugin {
        &self.0
    }
}

type LegacyError = v0_1::exports::weir::plugin::chart_render::ChartError;

fn upgrade_error(error: LegacyError) -> Error {
    let (code, detail, template) = match error {
        LegacyError::InvalidChart(detail) => (ErrorCode::InvalidInput, detail, false),
        LegacyError::InvalidValues(detail) => (ErrorCode::InvalidInput, detail, false),
        LegacyError::TemplateFailed(detail) => (ErrorCode::InvalidInput, detail, true),
        LegacyError::Incompatible(detail) => (ErrorCode::Incompatible, detail, false),
        LegacyError::Unsupported(detail) => (ErrorCode::Unsupported, detail, false),
    };
    let mut error = legacy_error(code, detail);
    // A failed template was 0.1's `file`; 0.2 names it in the `template` detail.
    if template && let Some(file) = error.path.take() {
        error.details.insert(0, KeyValue { key: "template".into(), value: file });
    }
    error
}

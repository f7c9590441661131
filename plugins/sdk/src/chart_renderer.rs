//! The `chart-renderer` world: a Helm chart to manifests, as `helm template`.
//!
//! The unpacked chart is visible read-only at [`CHART_MOUNT`].

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.1.0",
        world: "chart-renderer",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::chart_renderer::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        with: { "weir:plugin/types@0.1.0": weir_plugin_sdk::tag_policy::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::chart_render::{
    Capabilities, ChartError, ChartRequest, Hook, HookDeletePolicy, HookEvent, Manifest, Release, RenderedChart,
};

/// Where the host mounts the chart.
pub const CHART_MOUNT: &str = "/chart";

/// When the chart is packaged, the mount holds just this archive.
pub const PACKAGED_CHART: &str = "chart.tgz";

/// A chart-renderer plugin. Export it with [`export_chart_renderer!`](crate::export_chart_renderer).
pub trait ChartRenderer {
    /// Renders the chart at [`CHART_MOUNT`].
    fn template(request: ChartRequest) -> Result<RenderedChart, ChartError>;
}

/// Exports a [`ChartRenderer`] implementation as the plugin's `chart-renderer` world.
#[macro_export]
macro_rules! export_chart_renderer {
    ($plugin:ty) => {
        const _: () = {
            struct WeirChartRendererExport;
            impl $crate::chart_renderer::bindings::exports::weir::plugin::chart_render::Guest
                for WeirChartRendererExport
            {
                fn template(
                    request: $crate::chart_renderer::ChartRequest,
                ) -> ::core::result::Result<$crate::chart_renderer::RenderedChart, $crate::chart_renderer::ChartError>
                {
                    <$plugin as $crate::chart_renderer::ChartRenderer>::template(request)
                }
            }
            $crate::chart_renderer::bindings::export!(
                WeirChartRendererExport with_types_in $crate::chart_renderer::bindings
            );
        };
    };
}

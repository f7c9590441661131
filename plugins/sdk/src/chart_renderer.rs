//! The `chart-renderer` world: a Helm chart to manifests, as `helm template`.
//!
//! The chart is visible read-only at [`CHART_MOUNT`].

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.2.0",
        world: "chart-renderer",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::chart_renderer::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        with: { "weir:plugin/types@0.2.0": weir_plugin_sdk::types::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::chart_render::{
    Capabilities, ChartRequest, Hook, HookDeletePolicy, HookEvent, Manifest, Release, RenderedChart,
};

/// Where the host mounts the chart.
pub const CHART_MOUNT: &str = "/chart";

/// When the chart is packaged, the mount holds just this archive.
pub const PACKAGED_CHART: &str = "chart.tgz";

#[doc(hidden)]
#[macro_export]
macro_rules! __export_chart_renderer {
    ($plugin:ty) => {
        const _: () = {
            struct WeirChartRendererExport;
            impl $crate::chart_renderer::bindings::exports::weir::plugin::chart_render::Guest
                for WeirChartRendererExport
            {
                fn describe() -> $crate::types::PluginInfo {
                    $crate::__plugin_info!($plugin)
                }
                fn template(
                    request: $crate::chart_renderer::ChartRequest,
                ) -> ::core::result::Result<$crate::chart_renderer::RenderedChart, $crate::types::Error> {
                    <$plugin as $crate::Plugin>::template(request)
                }
            }
            $crate::chart_renderer::bindings::export!(
                WeirChartRendererExport with_types_in $crate::chart_renderer::bindings
            );
        };
    };
}

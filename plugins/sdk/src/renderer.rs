//! The `renderer` world: a source tree to manifests, as `kustomize build`.
//!
//! The source tree is visible read-only at [`SOURCE_MOUNT`]; paths in
//! [`BuildOptions`] are relative to it. Use `std::fs` to read it.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.2.0",
        world: "renderer",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::renderer::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        with: { "weir:plugin/types@0.2.0": weir_plugin_sdk::types::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::render::{
    BuildOptions, CommonMetadata, Image, LoadRestrictor, Patch, Rendered, Reorder, ResourceSelector,
};

/// Where the host mounts the source tree.
pub const SOURCE_MOUNT: &str = "/src";

#[doc(hidden)]
#[macro_export]
macro_rules! __export_renderer {
    ($plugin:ty) => {
        const _: () = {
            struct WeirRendererExport;
            impl $crate::renderer::bindings::exports::weir::plugin::render::Guest for WeirRendererExport {
                fn describe() -> $crate::types::PluginInfo {
                    $crate::__plugin_info!($plugin)
                }
                fn build(
                    options: $crate::renderer::BuildOptions,
                ) -> ::core::result::Result<$crate::renderer::Rendered, $crate::types::Error> {
                    <$plugin as $crate::Plugin>::build(options)
                }
            }
    $crate::renderer::bindings::export!(WeirRendererExport with_types_in $crate::renderer::bindings);
        };
    };
}

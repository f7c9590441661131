//! The `renderer` world: a source tree to manifests, as `kustomize build`.
//!
//! The source tree is visible read-only at [`SOURCE_MOUNT`]; paths in
//! [`BuildOptions`] are relative to it. Use `std::fs` to read it.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.1.0",
        world: "renderer",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::renderer::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        with: { "weir:plugin/types@0.1.0": weir_plugin_sdk::tag_policy::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::render::{
    BuildOptions, CommonMetadata, Image, LoadRestrictor, Patch, RenderError, Rendered, Reorder, ResourceSelector,
};

/// Where the host mounts the source tree.
pub const SOURCE_MOUNT: &str = "/src";

/// A renderer plugin. Export it with [`export_renderer!`](crate::export_renderer).
pub trait Renderer {
    /// Builds the kustomization at `options.path`.
    fn build(options: BuildOptions) -> Result<Rendered, RenderError>;
}

/// Exports a [`Renderer`] implementation as the plugin's `renderer` world.
#[macro_export]
macro_rules! export_renderer {
    ($plugin:ty) => {
        const _: () = {
            struct WeirRendererExport;
            impl $crate::renderer::bindings::exports::weir::plugin::render::Guest for WeirRendererExport {
                fn build(
                    options: $crate::renderer::BuildOptions,
                ) -> ::core::result::Result<$crate::renderer::Rendered, $crate::renderer::RenderError> {
                    <$plugin as $crate::renderer::Renderer>::build(options)
                }
            }
    $crate::renderer::bindings::export!(WeirRendererExport with_types_in $crate::renderer::bindings);
        };
    };
}

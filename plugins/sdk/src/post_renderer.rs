//! The `post-renderer` world (`weir:plugin@0.2.1`): change a Helm release's rendered
//! manifests before they are applied. The call sees no filesystem and no network: the
//! request holds the documents and the release they belong to.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.2.1",
        world: "post-renderer",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::post_renderer::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        // 0.2.1 only adds to 0.2.0: its shared types are 0.2.0's.
        with: { "weir:plugin/types@0.2.1": weir_plugin_sdk::types::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::post_render::{Manifest, PostRenderRequest};

#[doc(hidden)]
#[macro_export]
macro_rules! __export_post_renderer {
    ($plugin:ty) => {
        const _: () = {
            struct WeirPostRendererExport;
            impl $crate::post_renderer::bindings::exports::weir::plugin::post_render::Guest for WeirPostRendererExport {
                fn describe() -> $crate::types::PluginInfo {
                    $crate::__plugin_info!($plugin)
                }
                fn post_render(
                    request: $crate::post_renderer::PostRenderRequest,
                ) -> ::core::result::Result<::std::vec::Vec<$crate::post_renderer::Manifest>, $crate::types::Error>
                {
                    <$plugin as $crate::Plugin>::post_render(request)
                }
            }
            $crate::post_renderer::bindings::export!(
                WeirPostRendererExport with_types_in $crate::post_renderer::bindings
            );
        };
    };
}

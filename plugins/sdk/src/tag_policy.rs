//! The `tag-policy` world: choose an image tag from a registry's list.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.2.0",
        world: "tag-policy",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::tag_policy::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        with: { "weir:plugin/types@0.2.0": weir_plugin_sdk::types::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::policy::{Candidate, Order, PolicyRequest, Selection, TagFilter};

#[doc(hidden)]
#[macro_export]
macro_rules! __export_tag_policy {
    ($plugin:ty) => {
        const _: () = {
            struct WeirTagPolicyExport;
            impl $crate::tag_policy::bindings::exports::weir::plugin::policy::Guest for WeirTagPolicyExport {
                fn describe() -> $crate::types::PluginInfo {
                    $crate::__plugin_info!($plugin)
                }
                fn select(
                    request: $crate::tag_policy::PolicyRequest,
                ) -> ::core::result::Result<::std::string::String, $crate::types::Error> {
                    <$plugin as $crate::Plugin>::select(request)
                }
            }
    $crate::tag_policy::bindings::export!(WeirTagPolicyExport with_types_in $crate::tag_policy::bindings);
        };
    };
}

//! The `tag-policy` world: choose an image tag from a registry's list.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.1.0",
        world: "tag-policy",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::tag_policy::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
    });
}

pub use bindings::exports::weir::plugin::policy::{Candidate, Order, PolicyError, PolicyRequest, Selection, TagFilter};

/// A tag-policy plugin. Export it with [`export_tag_policy!`](crate::export_tag_policy).
pub trait TagPolicy {
    /// Returns the selected tag exactly as it appears in `request.candidates`.
    fn select(request: PolicyRequest) -> Result<String, PolicyError>;
}

/// Exports a [`TagPolicy`] implementation as the plugin's `tag-policy` world.
#[macro_export]
macro_rules! export_tag_policy {
    ($plugin:ty) => {
        const _: () = {
            struct WeirTagPolicyExport;
            impl $crate::tag_policy::bindings::exports::weir::plugin::policy::Guest for WeirTagPolicyExport {
                fn select(
                    request: $crate::tag_policy::PolicyRequest,
                ) -> ::core::result::Result<::std::string::String, $crate::tag_policy::PolicyError> {
                    <$plugin as $crate::tag_policy::TagPolicy>::select(request)
                }
            }
    $crate::tag_policy::bindings::export!(WeirTagPolicyExport with_types_in $crate::tag_policy::bindings);
        };
    };
}

//! The `notifier` world: deliver events to a provider.
//!
//! The only way out is [`send`], and the host lets it reach only the
//! origin (scheme, host, port) of `provider.address`.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.2.0",
        world: "notifier",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::notifier::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        with: { "weir:plugin/types@0.2.0": weir_plugin_sdk::types::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::notify::{Event, ObjectReference, Provider, Severity};
pub use bindings::weir::plugin::outbound_http::{Request, Response, send};

#[doc(hidden)]
#[macro_export]
macro_rules! __export_notifier {
    ($plugin:ty) => {
        const _: () = {
            struct WeirNotifierExport;
            impl $crate::notifier::bindings::exports::weir::plugin::notify::Guest for WeirNotifierExport {
                fn describe() -> $crate::types::PluginInfo {
                    $crate::__plugin_info!($plugin)
                }
                fn notify(
                    event: $crate::notifier::Event,
                    provider: $crate::notifier::Provider,
                ) -> ::core::result::Result<(), $crate::types::Error> {
                    <$plugin as $crate::Plugin>::notify(event, provider)
                }
            }
    $crate::notifier::bindings::export!(WeirNotifierExport with_types_in $crate::notifier::bindings);
        };
    };
}

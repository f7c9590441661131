//! The `notifier` world: deliver events to a provider.
//!
//! The only way out is [`send`], and the host lets it reach only the
//! origin (scheme, host, port) of `provider.address`.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.1.0",
        world: "notifier",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::notifier::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        with: { "weir:plugin/types@0.1.0": weir_plugin_sdk::tag_policy::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::notify::{Event, NotifyError, ObjectReference, Provider, Severity};
pub use bindings::weir::plugin::outbound_http::{HttpError, Request, Response, send};

/// A notifier plugin. Export it with [`export_notifier!`](crate::export_notifier).
pub trait Notifier {
    /// Delivers `event` to `provider`.
    fn notify(event: Event, provider: Provider) -> Result<(), NotifyError>;
}

/// Exports a [`Notifier`] implementation as the plugin's `notifier` world.
#[macro_export]
macro_rules! export_notifier {
    ($plugin:ty) => {
        const _: () = {
            struct WeirNotifierExport;
            impl $crate::notifier::bindings::exports::weir::plugin::notify::Guest for WeirNotifierExport {
                fn notify(
                    event: $crate::notifier::Event,
                    provider: $crate::notifier::Provider,
                ) -> ::core::result::Result<(), $crate::notifier::NotifyError> {
                    <$plugin as $crate::notifier::Notifier>::notify(event, provider)
                }
            }
    $crate::notifier::bindings::export!(WeirNotifierExport with_types_in $crate::notifier::bindings);
        };
    };
}

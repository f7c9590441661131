//! The `decryptor` world: decrypt SOPS-like documents. No filesystem, no
//! network; keys arrive with each call.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.2.0",
        world: "decryptor",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::decryptor::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        with: { "weir:plugin/types@0.2.0": weir_plugin_sdk::types::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::decrypt::{DecryptOptions, Key};

#[doc(hidden)]
#[macro_export]
macro_rules! __export_decryptor {
    ($plugin:ty) => {
        const _: () = {
            struct WeirDecryptorExport;
            impl $crate::decryptor::bindings::exports::weir::plugin::decrypt::Guest for WeirDecryptorExport {
                fn describe() -> $crate::types::PluginInfo {
                    $crate::__plugin_info!($plugin)
                }
                fn decrypt(
                    document: ::std::vec::Vec<u8>,
                    format: $crate::types::DocumentFormat,
                    keys: ::std::vec::Vec<$crate::decryptor::Key>,
                    options: $crate::decryptor::DecryptOptions,
                ) -> ::core::result::Result<::std::vec::Vec<u8>, $crate::types::Error> {
                    <$plugin as $crate::Plugin>::decrypt(document, format, keys, options)
                }
            }
    $crate::decryptor::bindings::export!(WeirDecryptorExport with_types_in $crate::decryptor::bindings);
        };
    };
}

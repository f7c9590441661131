//! The `encryptor` world: encrypt SOPS-like documents for public-key
//! recipients (`weir sops encrypt`). No filesystem, no network.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.2.0",
        world: "encryptor",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::encryptor::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        with: { "weir:plugin/types@0.2.0": weir_plugin_sdk::types::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::encrypt::{EncryptOptions, KeyGroup};

#[doc(hidden)]
#[macro_export]
macro_rules! __export_encryptor {
    ($plugin:ty) => {
        const _: () = {
            struct WeirEncryptorExport;
            impl $crate::encryptor::bindings::exports::weir::plugin::encrypt::Guest for WeirEncryptorExport {
                fn describe() -> $crate::types::PluginInfo {
                    $crate::__plugin_info!($plugin)
                }
                fn encrypt(
                    document: ::std::vec::Vec<u8>,
                    format: $crate::types::DocumentFormat,
                    options: $crate::encryptor::EncryptOptions,
                ) -> ::core::result::Result<::std::vec::Vec<u8>, $crate::types::Error> {
                    <$plugin as $crate::Plugin>::encrypt(document, format, options)
                }
            }
    $crate::encryptor::bindings::export!(WeirEncryptorExport with_types_in $crate::encryptor::bindings);
        };
    };
}

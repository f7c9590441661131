//! The `decryptor` world: decrypt (and optionally encrypt) SOPS-like documents.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.1.0",
        world: "decryptor",
        pub_export_macro: true,
        default_bindings_module: "weir_plugin_sdk::decryptor::bindings",
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
        with: { "weir:plugin/types@0.1.0": weir_plugin_sdk::tag_policy::bindings::weir::plugin::types },
    });
}

pub use bindings::exports::weir::plugin::decrypt::{
    CryptError, DecryptOptions, DocumentFormat, EncryptOptions, Key, KeyGroup,
};

use crate::types::ErrorDetail;

/// A decryptor plugin. Export it with [`export_decryptor!`](crate::export_decryptor).
pub trait Decryptor {
    /// Decrypts `document`, returning it without encryption metadata.
    fn decrypt(document: Vec<u8>, format: DocumentFormat, keys: Vec<Key>) -> Result<Vec<u8>, CryptError>;

    /// Decrypts `document` and prints it as `options` say. The default
    /// handles plain decryption and answers `unsupported` for the rest.
    fn decrypt_with(
        document: Vec<u8>,
        format: DocumentFormat,
        keys: Vec<Key>,
        options: DecryptOptions,
    ) -> Result<Vec<u8>, CryptError> {
        if options.extract.is_empty() && options.output_format.is_none_or(|f| f == format) {
            Self::decrypt(document, format, keys)
        } else {
            Err(CryptError::Unsupported(ErrorDetail::new("this decryptor does not convert or extract")))
        }
    }

    /// Encrypts `document`. Decrypt-only plugins keep this default, which
    /// answers `unsupported`.
    fn encrypt(document: Vec<u8>, format: DocumentFormat, options: EncryptOptions) -> Result<Vec<u8>, CryptError> {
        let _ = (document, format, options);
        Err(CryptError::Unsupported(ErrorDetail::new("this decryptor does not encrypt")))
    }
}

/// Exports a [`Decryptor`] implementation as the plugin's `decryptor` world.
#[macro_export]
macro_rules! export_decryptor {
    ($plugin:ty) => {
        const _: () = {
            struct WeirDecryptorExport;
            impl $crate::decryptor::bindings::exports::weir::plugin::decrypt::Guest for WeirDecryptorExport {
                fn decrypt(
                    document: ::std::vec::Vec<u8>,
                    format: $crate::decryptor::DocumentFormat,
                    keys: ::std::vec::Vec<$crate::decryptor::Key>,
                ) -> ::core::result::Result<::std::vec::Vec<u8>, $crate::decryptor::CryptError> {
                    <$plugin as $crate::decryptor::Decryptor>::decrypt(document, format, keys)
                }
                fn decrypt_with(
                    document: ::std::vec::Vec<u8>,
                    format: $crate::decryptor::DocumentFormat,
                    keys: ::std::vec::Vec<$crate::decryptor::Key>,
                    options: $crate::decryptor::DecryptOptions,
                ) -> ::core::result::Result<::std::vec::Vec<u8>, $crate::decryptor::CryptError> {
                    <$plugin as $crate::decryptor::Decryptor>::decrypt_with(document, format, keys, options)
                }
                fn encrypt(
                    document: ::std::vec::Vec<u8>,
                    format: $crate::decryptor::DocumentFormat,
                    options: $crate::decryptor::EncryptOptions,
                ) -> ::core::result::Result<::std::vec::Vec<u8>, $crate::decryptor::CryptError> {
                    <$plugin as $crate::decryptor::Decryptor>::encrypt(document, format, options)
                }
            }
    $crate::decryptor::bindings::export!(WeirDecryptorExport with_types_in $crate::decryptor::bindings);
        };
    };
}

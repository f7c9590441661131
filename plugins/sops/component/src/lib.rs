//! The built-in decryptor plugin: `weir-sops` behind the WIT `decryptor` world.
//! Keys and plaintext live only in this call's memory; nothing is logged.

use weir_plugin_sdk::decryptor::{CryptError, DecryptOptions, Decryptor, DocumentFormat, EncryptOptions, Key};
use weir_plugin_sdk::types::ErrorDetail;
use weir_sops::SopsError;

struct Sops;

impl Decryptor for Sops {
    fn decrypt(document: Vec<u8>, format: DocumentFormat, keys: Vec<Key>) -> Result<Vec<u8>, CryptError> {
        weir_sops::decrypt(&document, self::format(format), &keys.into_iter().map(key).collect::<Vec<_>>())
            .map_err(error)
    }

    fn decrypt_with(
        document: Vec<u8>,
        format: DocumentFormat,
        keys: Vec<Key>,
        options: DecryptOptions,
    ) -> Result<Vec<u8>, CryptError> {
        let options = weir_sops::DecryptOptions {
            output_format: options.output_format.map(self::format),
            extract: options.extract,
        };
        let keys: Vec<weir_sops::Key> = keys.into_iter().map(key).collect();
        weir_sops::decrypt_with(&document, self::format(format), &keys, &options).map_err(error)
    }

    fn encrypt(document: Vec<u8>, format: DocumentFormat, options: EncryptOptions) -> Result<Vec<u8>, CryptError> {
        let options = weir_sops::EncryptOptions {
            age_recipients: options.age_recipients,
            pgp_public_keys: options.pgp_public_keys,
            encrypted_regex: options.encrypted_regex,
            unencrypted_regex: options.unencrypted_regex,
            encrypted_suffix: options.encrypted_suffix,
            unencrypted_suffix: options.unencrypted_suffix,
            mac_only_encrypted: options.mac_only_encrypted,
            key_groups: options
                .key_groups
                .into_iter()
                .map(|g| weir_sops::RecipientGroup {
                    age_recipients: g.age_recipients,
                    pgp_public_keys: g.pgp_public_keys,
                })
                .collect(),
            shamir_threshold: usize::from(options.shamir_threshold),
        };
        weir_sops::encrypt(&document, self::format(format), &options).map_err(error)
    }
}

fn format(format: DocumentFormat) -> weir_sops::Format {
    match format {
        DocumentFormat::Yaml => weir_sops::Format::Yaml,
        DocumentFormat::Json => weir_sops::Format::Json,
        DocumentFormat::Dotenv => weir_sops::Format::Dotenv,
        DocumentFormat::Ini => weir_sops::Format::Ini,
        DocumentFormat::Binary => weir_sops::Format::Binary,
    }
}

fn key(key: Key) -> weir_sops::Key {
    match key {
        Key::AgeIdentity(identity) => weir_sops::Key::AgeIdentity(identity),
        Key::PgpSecretKey(armored) => weir_sops::Key::PgpSecretKey(armored),
        Key::DataKey(bytes) => weir_sops::Key::DataKey(bytes),
    }
}

/// Messages name paths and metadata fields, never secrets.
fn error(error: SopsError) -> CryptError {
    let detail = |message: String| ErrorDetail::new(message);
    match error {
        SopsError::NotEncrypted(m) => CryptError::NotEncrypted(detail(m)),
        SopsError::NoMatchingKey(m) => CryptError::NoMatchingKey(detail(m)),
        SopsError::MacMismatch(m) => CryptError::MacMismatch(detail(m)),
        SopsError::InvalidDocument(m) => CryptError::InvalidDocument(detail(m)),
        SopsError::InvalidKey(m) => CryptError::InvalidKey(detail(m)),
        SopsError::Unsupported(m) => CryptError::Unsupported(detail(m)),
    }
}

weir_plugin_sdk::export_decryptor!(Sops);

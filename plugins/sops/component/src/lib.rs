//! The built-in SOPS plugin: `weir-sops` behind the WIT `decryptor` and
//! `encryptor` worlds. Keys and plaintext live only in this call's memory;
//! nothing is logged.

use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::decryptor::{DecryptOptions, Key};
use weir_plugin_sdk::encryptor::EncryptOptions;
use weir_plugin_sdk::types::{DocumentFormat, Error, ErrorCode};
use weir_sops::SopsError;

struct Sops;

impl Plugin for Sops {
    fn decrypt(
        document: Vec<u8>,
        format: DocumentFormat,
        keys: Vec<Key>,
        options: DecryptOptions,
    ) -> Result<Vec<u8>, Error> {
        let options = weir_sops::DecryptOptions {
            output_format: options.output_format.map(self::format),
            extract: options.extract,
        };
        let keys: Vec<weir_sops::Key> = keys.into_iter().map(key).collect();
        weir_sops::decrypt_with(&document, self::format(format), &keys, &options).map_err(error)
    }

    fn encrypt(document: Vec<u8>, format: DocumentFormat, options: EncryptOptions) -> Result<Vec<u8>, Error> {
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
fn error(error: SopsError) -> Error {
    let (code, message) = match error {
        SopsError::NotEncrypted(m) => (ErrorCode::NotEncrypted, m),
        SopsError::NoMatchingKey(m) => (ErrorCode::NoMatchingKey, m),
        SopsError::MacMismatch(m) => (ErrorCode::Integrity, m),
        SopsError::InvalidDocument(m) | SopsError::InvalidKey(m) => (ErrorCode::InvalidInput, m),
        SopsError::Unsupported(m) => (ErrorCode::Unsupported, m),
    };
    Error::new(code, message)
}

weir_plugin_sdk::register_plugin!(Sops: decryptor, encryptor);

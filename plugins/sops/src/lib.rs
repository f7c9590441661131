//! SOPS-compatible decryption and encryption of documents, in memory.
//!
//! Implements the parts of sops 3 this plugin needs: recovering the data key
//! from age X25519 recipients or OpenPGP keys (any recipient of a key group;
//! Shamir-split key groups), AES-256-GCM value encryption with the tree path as
//! additional data, the MAC over the plaintext tree, and the JSON and dotenv
//! stores. Pure Rust, no I/O: keys and plaintext only ever live in memory, and
//! nothing here logs. Decrypted output is byte-identical to `sops -d` (3.11).

mod cipher;
mod dotenv;
mod error;
mod json;
mod keys;
mod metadata;
mod shamir;
mod tree;

pub use error::SopsError;

use metadata::Metadata;
use tree::{Item, Value};

/// The sops version written into the metadata of documents this crate encrypts.
pub const SOPS_VERSION: &str = "3.11.0";

/// How the document is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON object.
    Json,
    /// `KEY=value` lines.
    Dotenv,
    /// YAML (not implemented yet: [`SopsError::Unsupported`]).
    Yaml,
    /// INI (not implemented yet: [`SopsError::Unsupported`]).
    Ini,
    /// Any bytes (not implemented yet: [`SopsError::Unsupported`]).
    Binary,
}

/// A key that may unlock a document's data key.
#[derive(Clone)]
pub enum Key {
    /// An age X25519 identity (`AGE-SECRET-KEY-1...`).
    AgeIdentity(String),
    /// An ASCII-armoured OpenPGP secret key without a passphrase.
    PgpSecretKey(String),
    /// A 32-byte data key already unwrapped elsewhere (e.g. by the host through
    /// a cloud KMS). It is used when it authenticates the document's MAC.
    DataKey(Vec<u8>),
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::AgeIdentity(_) => f.write_str("AgeIdentity(<redacted>)"),
            Key::DataKey(_) => f.write_str("DataKey(<redacted>)"),
            Key::PgpSecretKey(_) => f.write_str("PgpSecretKey(<redacted>)"),
        }
    }
}

/// Where and how to encrypt.
#[derive(Debug, Clone, Default)]
pub struct EncryptOptions {
    /// age recipients (`age1...`).
    pub age_recipients: Vec<String>,
    /// ASCII-armoured OpenPGP public keys. At least one age recipient or PGP key is required.
    pub pgp_public_keys: Vec<String>,
    /// Only values under keys matching this regex are encrypted.
    pub encrypted_regex: Option<String>,
    /// Values under keys matching this regex stay plain.
    pub unencrypted_regex: Option<String>,
    /// Only values under keys with this suffix are encrypted.
    pub encrypted_suffix: Option<String>,
    /// Values under keys with this suffix stay plain (default `_unencrypted`
    /// when no other rule is given).
    pub unencrypted_suffix: Option<String>,
    /// Compute the MAC over the encrypted values only.
    pub mac_only_encrypted: bool,
}

fn check_format(format: Format) -> Result<(), SopsError> {
    match format {
        Format::Json | Format::Dotenv => Ok(()),
        other => Err(SopsError::Unsupported(format!("document format {other:?} is not implemented"))),
    }
}

/// Decrypts a sops-encrypted `document`, returning exactly what `sops -d` prints.
pub fn decrypt(document: &[u8], format: Format, keys: &[Key]) -> Result<Vec<u8>, SopsError> {
    check_format(format)?;
    let (branch, meta_value) = match format {
        Format::Json => json::load_encrypted(document)?,
        _ => dotenv::load_encrypted(document)?,
    };
    let meta = Metadata::from_value(&meta_value)?;
    let data_key = keys::recover_data_key(&meta, keys)?;
    let rules = meta.rules()?;
    let mut branch = branch;
    let mac = tree::decrypt_tree(&mut branch, &data_key, &rules, meta.mac_only_encrypted)?;
    let stored = cipher::decrypt_value(&meta.mac, &data_key, &meta.lastmodified_aad())
        .map_err(|e| SopsError::MacMismatch(format!("cannot decrypt the stored MAC: {e}")))?;
    let stored = match stored {
        Value::Str(s) => s,
        _ => return Err(SopsError::MacMismatch("the stored MAC is not a string".into())),
    };
    if stored != mac {
        return Err(SopsError::MacMismatch(
            "the MAC computed over the decrypted values differs from the stored one".into(),
        ));
    }
    Ok(match format {
        Format::Json => json::emit(&branch),
        _ => dotenv::emit(&branch)?,
    })
}

/// Encrypts a plain `document` for the given recipients, adding sops metadata,
/// in a form that `sops -d` decrypts.
pub fn encrypt(document: &[u8], format: Format, options: &EncryptOptions) -> Result<Vec<u8>, SopsError> {
    check_format(format)?;
    let mut branch = match format {
        Format::Json => json::load_plain(document)?,
        _ => dotenv::load_plain(document)?,
    };
    let has_sops = branch.iter().any(|i| match (format, i) {
        (Format::Json, Item::Entry(k, _)) => k == "sops",
        (Format::Dotenv, Item::Entry(k, _)) => k.starts_with("sops_"),
        _ => false,
    });
    if has_sops {
        return Err(SopsError::InvalidDocument("the document already has sops metadata (key `sops`)".into()));
    }
    let mut meta = Metadata::for_encryption(options)?;
    let rules = meta.rules()?;
    let data_key = cipher::random_data_key()?;
    if options.age_recipients.is_empty() && options.pgp_public_keys.is_empty() {
        return Err(SopsError::InvalidKey("at least one age recipient or PGP public key is required".into()));
    }
    meta.age = keys::wrap_data_key(&data_key, &options.age_recipients)?;
    meta.pgp = keys::wrap_data_key_pgp(&data_key, &options.pgp_public_keys, &meta.lastmodified)?;
    let mac = tree::encrypt_tree(&mut branch, &data_key, &rules, meta.mac_only_encrypted)?;
    meta.mac = cipher::encrypt_value(&Value::Str(mac), &data_key, &meta.lastmodified_aad())?;
    Ok(match format {
        Format::Json => {
            branch.push(Item::Entry("sops".into(), meta.to_value()));
            json::emit(&branch)
        }
        _ => dotenv::emit_encrypted(branch, &meta)?,
    })
}

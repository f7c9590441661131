//! SOPS-compatible decryption and encryption of documents, in memory.
//!
//! Implements the parts of sops 3 this plugin needs: recovering the data key
//! from age X25519 recipients or OpenPGP keys (any recipient of a key group;
//! Shamir-split key groups), AES-256-GCM value encryption with the tree path as
//! additional data, the MAC over the plaintext tree, and the YAML, JSON,
//! dotenv, INI and binary stores. Pure Rust, no I/O: keys and plaintext only ever live in memory, and
//! nothing here logs. Decrypted output is byte-identical to `sops -d` (3.11).

mod cipher;
mod dotenv;
mod error;
mod gcm;
mod ini;
mod json;
mod keys;
mod metadata;
mod scan;
mod shamir;
mod tree;
mod yaml;

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
    /// YAML, possibly several documents.
    Yaml,
    /// INI sections of `key = value` lines.
    Ini,
    /// Any bytes, kept as the one value `data` (a JSON document when encrypted).
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
    /// Key groups (`.sops.yaml` `key_groups`); when set, they replace the
    /// recipients above and each group gets a Shamir share of the data key.
    pub key_groups: Vec<RecipientGroup>,
    /// How many key groups decryption needs (0: all of them).
    pub shamir_threshold: usize,
}

/// The recipients of one key group.
#[derive(Debug, Clone, Default)]
pub struct RecipientGroup {
    /// age recipients (`age1...`).
    pub age_recipients: Vec<String>,
    /// ASCII-armoured OpenPGP public keys.
    pub pgp_public_keys: Vec<String>,
}

/// How to print a decrypted document.
#[derive(Debug, Clone, Default)]
pub struct DecryptOptions {
    /// Print in this format instead of the input's (`--output-type`).
    pub output_format: Option<Format>,
    /// Print only this part of the first document (`--extract '["a"][0]'`):
    /// map keys, or list indices as decimal strings.
    pub extract: Vec<String>,
}

/// Parses an encrypted document into its branches and its metadata value.
fn load_encrypted(document: &[u8], format: Format) -> Result<(Vec<Vec<Item>>, Value), SopsError> {
    match format {
        Format::Yaml => yaml::load_encrypted(document),
        Format::Json | Format::Binary => json::load_encrypted(document).map(|(b, m)| (vec![b], m)),
        Format::Dotenv => dotenv::load_encrypted(document).map(|(b, m)| (vec![b], m)),
        Format::Ini => ini::load_encrypted(document).map(|(b, m)| (vec![b], m)),
    }
}

/// Parses a plain document to encrypt.
fn load_plain(document: &[u8], format: Format) -> Result<Vec<Vec<Item>>, SopsError> {
    Ok(match format {
        Format::Yaml => yaml::load_plain(document)?,
        Format::Json => vec![json::load_plain(document)?],
        Format::Dotenv => vec![dotenv::load_plain(document)?],
        Format::Ini => vec![ini::load_plain(document)?],
        // sops keeps a binary file as the one string value `data`.
        Format::Binary => vec![vec![Item::Entry(
            "data".into(),
            String::from_utf8(document.to_vec()).map_or_else(|e| Value::Bytes(e.into_bytes()), Value::Str),
        )]],
    })
}

/// Prints plain branches as sops prints them in `format`.
fn emit_plain(docs: &[Vec<Item>], format: Format) -> Result<Vec<u8>, SopsError> {
    let first = || docs.first().map(Vec::as_slice).unwrap_or_default();
    Ok(match format {
        Format::Yaml => yaml::emit(docs),
        Format::Json => json::emit(first()),
        Format::Dotenv => dotenv::emit(first())?,
        Format::Ini => ini::emit(first())?,
        Format::Binary => match first().iter().find_map(|i| match i {
            Item::Entry(k, v) if k == "data" => Some(v),
            _ => None,
        }) {
            Some(Value::Str(s)) => s.clone().into_bytes(),
            Some(Value::Bytes(b)) => b.clone(),
            _ => return Err(SopsError::InvalidDocument("binary: no string `data` key".into())),
        },
    })
}

/// Decrypts a sops-encrypted `document`, returning exactly what `sops -d` prints.
pub fn decrypt(document: &[u8], format: Format, keys: &[Key]) -> Result<Vec<u8>, SopsError> {
    decrypt_with(document, format, keys, &DecryptOptions::default())
}

/// Decrypts as `sops -d --output-type … --extract …` does.
pub fn decrypt_with(
    document: &[u8],
    format: Format,
    keys: &[Key],
    options: &DecryptOptions,
) -> Result<Vec<u8>, SopsError> {
    let (mut docs, meta_value) = load_encrypted(document, format)?;
    let meta = Metadata::from_value(&meta_value)?;
    let data_key = keys::recover_data_key(&meta, keys)?;
    let rules = meta.rules()?;
    let mac = tree::decrypt_tree(&mut docs, &data_key, &rules, meta.mac_only_encrypted)?;
    let stored = cipher::decrypt_value(&meta.mac, &cipher::Cipher::new(&data_key), &meta.lastmodified_aad())
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
    let out_format = options.output_format.unwrap_or(format);
    if options.extract.is_empty() {
        return emit_plain(&docs, out_format);
    }
    let first = docs.into_iter().next().unwrap_or_default();
    match extract(Value::Map(first), &options.extract)? {
        Value::Map(items) => emit_plain(&[items], out_format),
        // sops prints a comment it extracts as its Go struct.
        Value::Comment(c) => emit_plain(&[vec![Item::Entry("value".into(), Value::Str(c))]], out_format),
        Value::Str(s) => Ok(s.into_bytes()),
        Value::Bytes(b) => Ok(b),
        other => Ok(match out_format {
            Format::Json => {
                let mut v = json::emit(&[Item::Entry(String::new(), other)]);
                // The value alone, as Go's `json.Marshal` prints it.
                let text = String::from_utf8_lossy(&v).into_owned();
                let inner = text.trim_end().strip_prefix("{\n\t\"\": ").and_then(|t| t.strip_suffix("\n}"));
                v = inner.map(|t| t.replace("\n\t", "\n").into_bytes()).unwrap_or(v);
                v
            }
            _ => yaml::emit_value(&other),
        }),
    }
}

/// The part of a tree at `path` (sops' `Truncate`).
fn extract(mut v: Value, path: &[String]) -> Result<Value, SopsError> {
    for step in path {
        v = match v {
            Value::Map(items) => items
                .into_iter()
                .find_map(|i| match i {
                    Item::Entry(k, v) if k == *step => Some(v),
                    _ => None,
                })
                .ok_or_else(|| SopsError::InvalidKey(format!("--extract: no key `{step}`")))?,
            Value::List(list) => {
                let n: usize =
                    step.parse().map_err(|_| SopsError::InvalidKey(format!("--extract: `{step}` is not an index")))?;
                // Comments count as elements, as in sops' tree.
                list.into_iter()
                    .nth(n)
                    .ok_or_else(|| SopsError::InvalidKey(format!("--extract: index {n} out of range")))?
            }
            _ => return Err(SopsError::InvalidKey(format!("--extract: `{step}` goes past a leaf"))),
        };
    }
    Ok(v)
}

/// Encrypts a plain `document` for the given recipients, adding sops metadata,
/// in a form that `sops -d` decrypts.
pub fn encrypt(document: &[u8], format: Format, options: &EncryptOptions) -> Result<Vec<u8>, SopsError> {
    let mut docs = load_plain(document, format)?;
    let has_sops = docs.iter().flatten().any(|i| match (format, i) {
        (Format::Dotenv, Item::Entry(k, _)) => k.starts_with("sops_"),
        (_, Item::Entry(k, _)) => k == "sops",
        _ => false,
    });
    if has_sops {
        return Err(SopsError::InvalidDocument("the document already has sops metadata (key `sops`)".into()));
    }
    let mut meta = Metadata::for_encryption(options)?;
    let rules = meta.rules()?;
    let data_key = cipher::random_data_key()?;
    keys::wrap_for_encryption(&mut meta, &data_key, options)?;
    let mac = tree::encrypt_tree(&mut docs, &data_key, &rules, meta.mac_only_encrypted)?;
    meta.mac = cipher::encrypt_value(&Value::Str(mac), &cipher::Cipher::new(&data_key), &meta.lastmodified_aad())?;
    Ok(match format {
        Format::Yaml => yaml::emit_encrypted(docs, &meta.to_value()),
        Format::Json | Format::Binary => {
            let mut branch = docs.into_iter().next().unwrap_or_default();
            branch.push(Item::Entry("sops".into(), meta.to_value()));
            json::emit(&branch)
        }
        Format::Dotenv => dotenv::emit_encrypted(docs.into_iter().next().unwrap_or_default(), &meta)?,
        Format::Ini => ini::emit_encrypted(docs.into_iter().next().unwrap_or_default(), &meta)?,
    })
}
